// The organizer's charts: count axes with round ticks, and booth traffic
// arranged as a grid of booths by hours.

import type { Booth, BoothHour } from './api';
import { displayLocales, parseApiTime } from './format';

const HOUR_MS = 3_600_000;

/**
 * Ticks of a count axis from 0 to at least `max`: about `count` steps of
 * 1, 2 or 5 × 10ⁿ, never less than 1 (people come whole).
 */
export function countTicks(max: number, count: number): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((n) => n * power).find((s) => s >= rough) ?? 10 * power);
  const top = Math.ceil(max / step) * step;
  return Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
}

export interface TrafficGrid {
  /** Every booth with visitors, by name (A2 before A10). */
  booths: Booth[];
  /** The start of every hour of the event (ms), and of any other hour with visitors. */
  hours: number[];
  /** Visitors of each booth (row) in each hour (column). */
  visitors: number[][];
  max: number;
}

/** Booth traffic as a grid over the hours of the event (`start` inclusive, `end` exclusive). */
export function trafficGrid(traffic: readonly BoothHour[], event: { start: string; end: string }): TrafficGrid {
  const first = Math.floor(parseApiTime(event.start).getTime() / HOUR_MS) * HOUR_MS;
  const end = parseApiTime(event.end).getTime();
  const hours = new Set<number>();
  for (let hour = first; hour < end; hour += HOUR_MS) hours.add(hour);
  const booths = new Map<number, Booth>();
  for (const { booth, hour } of traffic) {
    booths.set(booth.id, booth);
    hours.add(parseApiTime(hour).getTime());
  }
  const sortedHours = [...hours].sort((a, b) => a - b);
  const sortedBooths = [...booths.values()].sort(
    (a, b) => a.name.localeCompare(b.name, displayLocales(), { numeric: true }) || a.id - b.id,
  );
  const row = new Map(sortedBooths.map((booth, i) => [booth.id, i]));
  const column = new Map(sortedHours.map((hour, i) => [hour, i]));
  const visitors = sortedBooths.map(() => sortedHours.map(() => 0));
  for (const { booth, hour, visitors: count } of traffic) {
    visitors[row.get(booth.id)!][column.get(parseApiTime(hour).getTime())!] = count;
  }
  return { booths: sortedBooths, hours: sortedHours, visitors, max: Math.max(0, ...traffic.map((t) => t.visitors)) };
}

/** Which of `levels` shades (1 the palest) a count takes on a scale up to `max`; 0 for none. */
export function shadeLevel(value: number, max: number, levels: number): number {
  if (value <= 0 || max <= 0) return 0;
  return Math.min(levels, Math.max(1, Math.ceil((value / max) * levels)));
}

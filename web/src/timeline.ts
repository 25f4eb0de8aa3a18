// The layout of a timeline: a linear time axis, ticks on the whole hours
// (or days) of the event's own time zone, and items stacked into rows so
// that no two (bars and their names) overlap.

/** A linear map from moments (ms since the epoch) to x, `left` at `start`, `right` at `end`. */
export interface TimeAxis {
  start: number;
  end: number;
  left: number;
  right: number;
}

export function timeX({ start, end, left, right }: TimeAxis, time: number): number {
  if (end <= start) return left;
  const clamped = Math.min(Math.max(time, start), end);
  return left + ((clamped - start) / (end - start)) * (right - left);
}

const MINUTE_MS = 60_000;
/** Hours between ticks, tried in turn; from a day up, ticks fall on midnight. */
const STEPS = [1, 2, 3, 4, 6, 12, 24, 48, 72, 168];

export interface Tick {
  time: number;
  /** Whether the tick is a local midnight (labelled with the date rather than the time). */
  midnight: boolean;
}

/**
 * The moments between `start` and `end` (both ms) that are whole hours in
 * `timeZone`, every 1, 2, 3… hours (or days) so that there are at most
 * `maxTicks`. Zones half an hour off UTC, and days of 23 or 25 hours, are
 * handled: the local clock decides.
 */
export function hourTicks(start: number, end: number, timeZone: string, maxTicks: number): Tick[] {
  const clock = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
  });
  const hours: { time: number; hour: number }[] = [];
  // Every zone is a whole number of quarter hours off UTC.
  const quarter = 15 * MINUTE_MS;
  for (let time = Math.ceil(start / quarter) * quarter; time <= end; time += quarter) {
    const parts = clock.formatToParts(time);
    const value = (type: string) => Number(parts.find((part) => part.type === type)?.value);
    if (value('minute') === 0) hours.push({ time, hour: value('hour') });
  }
  for (const step of STEPS) {
    const ticks =
      step < 24
        ? hours.filter(({ hour }) => hour % step === 0)
        : hours.filter(({ hour }) => hour === 0).filter((_, i) => i % (step / 24) === 0);
    if (ticks.length <= maxTicks) return ticks.map(({ time, hour }) => ({ time, midnight: hour === 0 }));
  }
  return [];
}

/** How far each item reaches along the axis, its name included. */
export interface Extent {
  from: number;
  to: number;
}

/**
 * The row of each extent: the first row (from the top) where it keeps `gap`
 * from everything already there, taking the extents from left to right.
 */
export function stackRows(extents: readonly Extent[], gap: number): number[] {
  const order = extents.map((_, i) => i).sort((a, b) => extents[a].from - extents[b].from || a - b);
  const rowEnds: number[] = [];
  const rows: number[] = new Array(extents.length);
  for (const i of order) {
    let row = rowEnds.findIndex((end) => end + gap <= extents[i].from);
    if (row === -1) row = rowEnds.length;
    rowEnds[row] = extents[i].to;
    rows[i] = row;
  }
  return rows;
}

/** Where an item's name goes: inside its bar, or beside it to the right or left. */
export interface LabelSpot {
  side: 'inside' | 'right' | 'left';
  /** Where the text starts (inside, right) or ends (left). */
  x: number;
  /** The width the text may take (shorten it to fit). */
  room: number;
  /** The bar and its name together. */
  extent: Extent;
}

/**
 * The place of a name `width` wide for a `bar` on a `plot`: inside the bar
 * where it fits, else right of it, else left of it, within the plot; else
 * wherever there is the most room, to be shortened.
 */
export function labelSpot(bar: Extent, width: number, plot: Extent, gap: number): LabelSpot {
  const inside = bar.to - bar.from - 2 * gap;
  const right = plot.to - bar.to - gap;
  const left = bar.from - gap - plot.from;
  const spot = (side: LabelSpot['side'], room: number): LabelSpot => {
    if (side === 'inside') return { side, x: bar.from + gap, room, extent: bar };
    if (side === 'right') return { side, x: bar.to + gap, room, extent: { from: bar.from, to: bar.to + gap + room } };
    return { side, x: bar.from - gap, room, extent: { from: bar.from - gap - room, to: bar.to } };
  };
  if (width <= inside) return spot('inside', width);
  if (width <= right) return spot('right', width);
  if (width <= left) return spot('left', width);
  const most = Math.max(inside, right, left);
  return spot(most === inside ? 'inside' : most === right ? 'right' : 'left', Math.max(0, most));
}

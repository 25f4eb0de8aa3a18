import { describe, expect, it } from 'vitest';
import type { BoothHour } from './api';
import { countTicks, shadeLevel, trafficGrid } from './charts';

describe('countTicks', () => {
  it.each([
    [3, 5, [0, 1, 2, 3]],
    [10, 5, [0, 2, 4, 6, 8, 10]],
    [37, 5, [0, 10, 20, 30, 40]],
    [120, 4, [0, 50, 100, 150]],
    [0, 5, [0, 1]],
  ])('counts up to %s in about %s steps: %j', (max, count, ticks) => {
    expect(countTicks(max, count)).toEqual(ticks);
  });
});

describe('trafficGrid', () => {
  const booth = (id: number, name: string) => ({ id, name, exhibitor: `${name} Ltd` });
  const traffic: BoothHour[] = [
    { booth: booth(3, 'Booth A10'), hour: '2020-08-18T16:00:00Z', visitors: 4 },
    { booth: booth(2, 'Booth A2'), hour: '2020-08-18T15:00:00Z', visitors: 1 },
    { booth: booth(2, 'Booth A2'), hour: '2020-08-18T17:00:00Z', visitors: 2 },
  ];

  it("lays booths (by name) against the event's hours", () => {
    const grid = trafficGrid(traffic, { start: '2020-08-18T14:55:00Z', end: '2020-08-18T18:00:00Z' });
    expect(grid.booths.map((b) => b.name)).toEqual(['Booth A2', 'Booth A10']);
    expect(grid.hours.map((h) => new Date(h).toISOString().slice(11, 13))).toEqual(['14', '15', '16', '17']);
    expect(grid.visitors).toEqual([
      [0, 1, 0, 2],
      [0, 0, 4, 0],
    ]);
    expect(grid.max).toBe(4);
  });

  it('keeps an hour with visitors outside the event', () => {
    const grid = trafficGrid(traffic, { start: '2020-08-18T15:00:00Z', end: '2020-08-18T16:00:00Z' });
    expect(grid.hours.map((h) => new Date(h).toISOString().slice(11, 13))).toEqual(['15', '16', '17']);
  });
});

describe('shadeLevel', () => {
  it('shades by share of the most, none for nobody', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((v) => shadeLevel(v, 10, 5))).toEqual([0, 1, 1, 2, 2, 3, 5]);
    expect(shadeLevel(3, 0, 5)).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { hourTicks, labelSpot, stackRows, timeX } from './timeline';

const at = (iso: string) => Date.parse(iso);

describe('the time axis', () => {
  it('maps moments linearly, clamped to the axis', () => {
    const axis = { start: at('2020-08-18T14:00:00Z'), end: at('2020-08-18T18:00:00Z'), left: 100, right: 500 };
    expect(timeX(axis, at('2020-08-18T15:00:00Z'))).toBe(200);
    expect(timeX(axis, at('2020-08-18T10:00:00Z'))).toBe(100);
    expect(timeX(axis, at('2020-08-18T20:00:00Z'))).toBe(500);
  });

  it("ticks on the event's local whole hours", () => {
    const ticks = hourTicks(at('2020-08-18T14:55:00Z'), at('2020-08-18T19:25:00Z'), 'America/Denver', 10);
    // 9:00 to 13:00 in Denver (UTC−6 in August).
    expect(ticks.map((t) => new Date(t.time).toISOString().slice(11, 16))).toEqual([
      '15:00',
      '16:00',
      '17:00',
      '18:00',
      '19:00',
    ]);
    expect(ticks.every((t) => !t.midnight)).toBe(true);
  });

  it('follows zones half an hour off UTC', () => {
    const ticks = hourTicks(at('2020-08-18T03:00:00Z'), at('2020-08-18T06:00:00Z'), 'Asia/Kolkata', 10);
    expect(ticks.map((t) => new Date(t.time).toISOString().slice(11, 16))).toEqual(['03:30', '04:30', '05:30']);
  });

  it('spaces the ticks out on a long event, then ticks on the days', () => {
    const day = hourTicks(at('2020-08-18T06:00:00Z'), at('2020-08-19T06:00:00Z'), 'UTC', 5);
    expect(day.map((t) => new Date(t.time).getUTCHours())).toEqual([6, 12, 18, 0, 6]);
    expect(day.map((t) => t.midnight)).toEqual([false, false, false, true, false]);
    const week = hourTicks(at('2020-08-01T00:00:00Z'), at('2020-08-31T00:00:00Z'), 'UTC', 6);
    expect(week.every((t) => t.midnight)).toBe(true);
    expect(week.length).toBeLessThanOrEqual(6);
  });
});

describe('stackRows', () => {
  it('keeps items that fit one after another on a row, and stacks the others', () => {
    const rows = stackRows(
      [
        { from: 0, to: 100 },
        { from: 50, to: 80 },
        { from: 105, to: 200 },
        { from: 110, to: 120 },
        { from: 300, to: 310 },
      ],
      5,
    );
    expect(rows).toEqual([0, 1, 0, 1, 0]);
  });

  it('takes the extents from left to right, whatever their order', () => {
    expect(stackRows([{ from: 100, to: 150 }, { from: 0, to: 120 }], 0)).toEqual([1, 0]);
  });
});

describe('labelSpot', () => {
  const plot = { from: 100, to: 800 };

  it('puts a name inside a bar long enough', () => {
    expect(labelSpot({ from: 200, to: 400 }, 100, plot, 5)).toEqual({
      side: 'inside',
      x: 205,
      room: 100,
      extent: { from: 200, to: 400 },
    });
  });

  it('puts it right of a short bar, or left of one near the end', () => {
    expect(labelSpot({ from: 200, to: 210 }, 100, plot, 5)).toMatchObject({ side: 'right', x: 215, extent: { to: 315 } });
    expect(labelSpot({ from: 760, to: 770 }, 100, plot, 5)).toMatchObject({ side: 'left', x: 755, extent: { from: 655 } });
  });

  it('leaves the most room it can where it fits nowhere', () => {
    expect(labelSpot({ from: 300, to: 320 }, 1000, plot, 5)).toMatchObject({ side: 'right', room: 475 });
  });
});

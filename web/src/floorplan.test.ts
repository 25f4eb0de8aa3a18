import { describe, expect, it } from 'vitest';
import type { Area } from './api';
import type { Box } from './clusters';
import { areaLabels, drawPlan, ringsPath, type PlanFrame } from './floorplan';
import { boundingBox, boxInsideRing, boxTouchesRing } from './labels';

const FRAME: PlanFrame = {
  width: 880,
  maxHeight: 640,
  margin: { top: 36, right: 24, bottom: 44, left: 24 },
  minExtent: 20,
};

/** A rectangle `width` × `height` metres whose south-west corner is `east`, `north` metres from (lat, lon). */
function rectangle(
  id: number,
  name: string,
  kind: string,
  at: { lat: number; lon: number },
  east: number,
  north: number,
  width: number,
  height: number,
): Area {
  const lat = (m: number) => at.lat + (m / 6_371_008.8) * (180 / Math.PI);
  const lon = (m: number) => at.lon + (m / (6_371_008.8 * Math.cos((at.lat * Math.PI) / 180))) * (180 / Math.PI);
  const [w, s, e, n] = [lon(east), lat(north), lon(east + width), lat(north + height)];
  return {
    type: 'Feature',
    id,
    properties: { name, kind, exhibitor: kind === 'booth' ? `${name} Ltd` : null },
    geometry: { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] },
  };
}

/**
 * The plan of the sample event (data/sample-event): four halls of 20 × 15 m
 * side by side, 3 m apart, and north of them 30 booths of 4 × 4 m in five
 * rows A–E of six, with 3 m aisles.
 */
function sample(): Area[] {
  const corner = { lat: 35.0584597, lon: -106.5725712 };
  const halls = ['A', 'B', 'C', 'D'].map((letter, i) =>
    rectangle(i + 1, `Hall ${letter}`, 'room', corner, 23 * i, 0, 20, 15),
  );
  const booths = ['A', 'B', 'C', 'D', 'E'].flatMap((row, r) =>
    [1, 2, 3, 4, 5, 6].map((column) => {
      const [east, north] = [25 + 7 * (column - 1), 22.5 + 7 * r];
      return rectangle(10 * (r + 1) + column, `Booth ${row}${column}`, 'booth', corner, east, north, 4, 4);
    }),
  );
  return [...booths, ...halls];
}

describe('drawPlan', () => {
  it('draws to scale, with east–west shrunk by the cosine of the latitude', () => {
    // Two squares of 10 m at 60° N, where a degree of longitude is half a degree of latitude.
    const at = { lat: 60, lon: 10 };
    const drawing = drawPlan(
      [rectangle(1, 'West', 'room', at, 0, 0, 10, 10), rectangle(2, 'East', 'booth', at, 30, 0, 10, 10)],
      FRAME,
    )!;
    const [west, east] = drawing.areas.map((a) => boundingBox(a.rings[0]));
    expect(west.width).toBeCloseTo(west.height, 3);
    expect(west.width * drawing.metersPerPixel).toBeCloseTo(10, 3);
    expect((east.x - west.x) * drawing.metersPerPixel).toBeCloseTo(30, 3);
    // 40 m across the width between the margins; the height follows.
    expect(drawing.metersPerPixel).toBeCloseTo(40 / (880 - 48), 6);
    expect(drawing.height).toBeCloseTo(36 + 10 / drawing.metersPerPixel + 44, 6);
    expect(drawing.areas.map((a) => a.kind)).toEqual(['room', 'booth']);
  });

  it('puts north up', () => {
    const at = { lat: 35, lon: -106 };
    const drawing = drawPlan(
      [rectangle(1, 'South', 'room', at, 0, 0, 10, 10), rectangle(2, 'North', 'room', at, 0, 50, 10, 10)],
      FRAME,
    )!;
    const [south, north] = drawing.areas.map((a) => boundingBox(a.rings[0]));
    expect(north.y).toBeLessThan(south.y);
    expect(north.y).toBeCloseTo(36, 6);
  });

  it('fits a tall plan to the greatest height', () => {
    const at = { lat: 0, lon: 0 };
    const drawing = drawPlan([rectangle(1, 'Tall', 'room', at, 0, 0, 10, 200)], FRAME)!;
    expect(drawing.height).toBeCloseTo(640, 6);
    const box = boundingBox(drawing.areas[0].rings[0]);
    expect(box.x + box.width / 2).toBeCloseTo(24 + (880 - 48) / 2, 6);
  });

  it('has nothing to draw without areas', () => {
    expect(drawPlan([], FRAME)).toBeNull();
  });

  it('draws holes as rings of the same path', () => {
    const path = ringsPath([
      [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }],
      [{ x: 2, y: 2 }, { x: 3, y: 2 }, { x: 3, y: 3 }],
    ]);
    expect(path).toBe('M0 0 L10 0 L10 10 Z M2 2 L3 2 L3 3 Z');
  });

  it('gives the sample event a scale bar of a round length', () => {
    const drawing = drawPlan(sample(), FRAME)!;
    expect(drawing.bar.label).toBe('20 m');
    expect(drawing.bar.pixels * drawing.metersPerPixel).toBeCloseTo(20, 6);
  });
});

describe('the names on the plan', () => {
  const apart = (a: Box, b: Box) =>
    a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
  const furniture = [
    { x: 14, y: 0, width: 200, height: 0 },
    { x: 840, y: 6, width: 30, height: 22 },
  ];

  it("name every area of the sample event, none on another's name, area or the furniture", () => {
    const drawing = drawPlan(sample(), FRAME)!;
    const labels = areaLabels(drawing, furniture);
    expect(labels).toHaveLength(34);
    labels.forEach((label, i) => {
      const area = drawing.areas[i];
      // Within the drawing.
      expect(label.box.x).toBeGreaterThanOrEqual(0);
      expect(label.box.x + label.box.width).toBeLessThanOrEqual(drawing.width);
      // Rooms inside, booths (too small for their names at this scale) beside, covering no area.
      if (area.kind === 'room') {
        expect(label.inside).toBe(true);
        expect(boxInsideRing(label.box, area.rings[0])).toBe(true);
        expect(label.fontSize).toBe(16);
      } else {
        expect(label.inside).toBe(false);
        expect(label.fontSize).toBeGreaterThanOrEqual(10);
        for (const other of drawing.areas) expect(boxTouchesRing(label.box, other.rings[0])).toBe(false);
      }
      for (const other of labels.slice(i + 1)) expect(apart(label.box, other.box)).toBe(true);
      for (const box of furniture) expect(apart(label.box, box)).toBe(true);
    });
  });

  it('go inside booths drawn large enough to hold them', () => {
    const drawing = drawPlan(sample(), { ...FRAME, width: 2400, maxHeight: 2000 })!;
    const labels = areaLabels(drawing, []);
    expect(labels.every((label) => label.inside)).toBe(true);
  });
});

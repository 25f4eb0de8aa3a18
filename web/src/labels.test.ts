import { describe, expect, it } from 'vitest';
import type { Point } from './geo';
import {
  boxInsideRing,
  boxTouchesRing,
  fitText,
  insideRing,
  labelWidth,
  placeLabels,
  ringArea,
  type LabelTarget,
} from './labels';

const square = (x: number, y: number, size: number): Point[] => [
  { x, y },
  { x: x + size, y },
  { x: x + size, y: y + size },
  { x, y: y + size },
];

const bounds = { x: 0, y: 0, width: 400, height: 300 };

function target(text: string, outline: Point[], overrides: Partial<LabelTarget> = {}): LabelTarget {
  return { text, outline, inside: [14, 12], beside: [11, 10], bold: false, ...overrides };
}

describe('text widths', () => {
  it('grow with the text, the font size and bold', () => {
    expect(labelWidth('Hall A', 10)).toBeCloseTo(10 * (0.76 + 0.64 + 0.34 + 0.34 + 0.34 + 0.76), 6);
    expect(labelWidth('Hall A', 20)).toBeCloseTo(2 * labelWidth('Hall A', 10), 6);
    expect(labelWidth('Hall A', 10, true)).toBeGreaterThan(labelWidth('Hall A', 10));
    expect(labelWidth('iii', 10)).toBeLessThan(labelWidth('mmm', 10));
  });

  it('shorten text with an ellipsis to fit', () => {
    expect(fitText('Short', 12, 200)).toBe('Short');
    const fitted = fitText('Kubernetes Operators Without Tears', 12, 100);
    expect(fitted.endsWith('…')).toBe(true);
    expect(labelWidth(fitted, 12)).toBeLessThanOrEqual(100);
    expect(fitText('Kubernetes', 12, 1)).toBe('');
  });
});

describe('rings', () => {
  const ring = square(0, 0, 10);

  it('tell inside from outside', () => {
    expect(insideRing({ x: 5, y: 5 }, ring)).toBe(true);
    expect(insideRing({ x: 15, y: 5 }, ring)).toBe(false);
    expect(ringArea(ring)).toBe(100);
    expect(ringArea([...ring].reverse())).toBe(100);
  });

  it('tell a box inside, crossing, holding or apart', () => {
    expect(boxInsideRing({ x: 2, y: 2, width: 6, height: 6 }, ring)).toBe(true);
    expect(boxInsideRing({ x: 5, y: 2, width: 6, height: 6 }, ring)).toBe(false);
    expect(boxTouchesRing({ x: 5, y: 2, width: 6, height: 6 }, ring)).toBe(true);
    expect(boxTouchesRing({ x: -5, y: -5, width: 30, height: 30 }, ring)).toBe(true);
    expect(boxTouchesRing({ x: 2, y: 2, width: 1, height: 1 }, ring)).toBe(true);
    expect(boxTouchesRing({ x: 12, y: 0, width: 5, height: 5 }, ring)).toBe(false);
  });

  it('find an L-shaped room’s name a place inside only where it is', () => {
    const l = [
      { x: 0, y: 0 },
      { x: 100, y: 0 },
      { x: 100, y: 20 },
      { x: 20, y: 20 },
      { x: 20, y: 100 },
      { x: 0, y: 100 },
    ];
    // The bounding box's centre (50, 50) is outside the L: its name goes beside it instead.
    const [label] = placeLabels([target('Hall', l)], { bounds, obstacles: [] });
    expect(label.inside).toBe(false);
    expect(boxTouchesRing(label.box, l)).toBe(false);
  });
});

describe('placeLabels', () => {
  it('puts a name inside its area at the largest size that fits', () => {
    const [big, small] = placeLabels(
      [target('Hall A', square(20, 20, 120)), target('Hall B', square(200, 20, 44))],
      { bounds, obstacles: [] },
    );
    expect(big).toMatchObject({ inside: true, fontSize: 14, x: 80, y: 80 });
    expect(small).toMatchObject({ inside: true, fontSize: 12 });
  });

  it('puts a name too wide for its area beside it, above first, covering no other area', () => {
    const booth = square(100, 100, 20);
    const [label] = placeLabels([target('Booth A1', booth)], { bounds, obstacles: [] });
    expect(label.inside).toBe(false);
    expect(label.fontSize).toBe(11);
    expect(label.box.y + label.box.height).toBeLessThanOrEqual(100);
    expect(label.x).toBeCloseTo(110, 6);

    // With a neighbour right above, below it is.
    const [below] = placeLabels([target('Booth A1', booth), target('Booth B1', square(100, 70, 20))], {
      bounds,
      obstacles: [],
    });
    expect(below.box.y).toBeGreaterThanOrEqual(120);
  });

  it('keeps names apart, off the furniture and within the drawing', () => {
    const row = [0, 1, 2, 3, 4].map((i) => target(`Booth ${i}`, square(10 + i * 40, 10, 20)));
    const obstacle = { x: 0, y: 30, width: 400, height: 20 };
    const labels = placeLabels(row, { bounds, obstacles: [obstacle] });
    for (const [i, a] of labels.entries()) {
      expect(a.box.y).toBeGreaterThanOrEqual(0);
      expect(a.box.y >= obstacle.y + obstacle.height || a.box.y + a.box.height <= obstacle.y).toBe(true);
      for (const b of labels.slice(i + 1)) {
        const apart =
          a.box.x + a.box.width <= b.box.x ||
          b.box.x + b.box.width <= a.box.x ||
          a.box.y + a.box.height <= b.box.y ||
          b.box.y + b.box.height <= a.box.y;
        expect(apart).toBe(true);
      }
    }
  });

  it('still names every area of a plan far too crowded, overlapping as little as it can', () => {
    const crowd = Array.from({ length: 12 }, (_, i) =>
      target(`Booth ${i}`, square(100 + (i % 4) * 6, 100 + Math.floor(i / 4) * 6, 5)),
    );
    const labels = placeLabels(crowd, { bounds, obstacles: [] });
    expect(labels).toHaveLength(12);
    expect(labels.every((label) => label.fontSize === 10 || label.fontSize === 11)).toBe(true);
  });
});

// Names on the floor plan that stay readable: each area's name goes inside
// it where it fits, else beside it (above, below, right, left) where it
// covers no other area, at the largest font size that allows, and never on
// another name, the scale bar or the north arrow. Larger areas are labelled
// first, as they have room inside. When no place is clear (a plan far too
// crowded for its width), a name goes where it overlaps the least.
//
// Text is measured by estimate, generously (as wide as DejaVu Sans, wider
// than most sans-serif fonts); the end-to-end test measures the labels as
// Chromium draws them and checks that none overlap.

import type { Box } from './clusters';
import type { Point } from './geo';

export interface LabelTarget {
  text: string;
  /** The area's outline (its outer ring). */
  outline: readonly Point[];
  /** Font sizes to try inside the area, largest first. */
  inside: readonly number[];
  /** Font sizes to try beside it, largest first. */
  beside: readonly number[];
  bold: boolean;
}

export interface Label {
  /** The centre of the text. */
  x: number;
  y: number;
  fontSize: number;
  /** The room the text takes. */
  box: Box;
  inside: boolean;
}

export interface LabelOptions {
  /** The drawing: labels stay inside it. */
  bounds: Box;
  /** The rest of the drawing that labels must not cover (scale bar, north arrow). */
  obstacles: readonly Box[];
}

/** Room between a name and the edge of its area, or the area it stands beside. */
const GAP = 2;
/** A line of text's height, in font sizes. */
const LINE_HEIGHT = 1.25;

/** Em widths of DejaVu Sans, rounded up by groups. */
function charWidth(char: string): number {
  if (' iljI.,:;\'!|'.includes(char)) return 0.34;
  if ('ftr()[]-'.includes(char)) return 0.42;
  if ('mwMW@%'.includes(char)) return 1;
  if (char >= 'A' && char <= 'Z') return 0.76;
  return 0.64;
}

/** The estimated width of `text` at `fontSize`; bold text is about a tenth wider. */
export function labelWidth(text: string, fontSize: number, bold = false): number {
  let ems = 0;
  for (const char of text) ems += charWidth(char);
  return ems * fontSize * (bold ? 1.1 : 1);
}

/** `text`, shortened with an ellipsis where it is wider than `maxWidth`. */
export function fitText(text: string, fontSize: number, maxWidth: number, bold = false): string {
  if (labelWidth(text, fontSize, bold) <= maxWidth) return text;
  const chars = [...text];
  while (chars.length > 0 && labelWidth(`${chars.join('').trimEnd()}…`, fontSize, bold) > maxWidth) chars.pop();
  return chars.length === 0 ? '' : `${chars.join('').trimEnd()}…`;
}

/** Places every target's name; the labels come in the order of the targets. */
export function placeLabels(targets: readonly LabelTarget[], { bounds, obstacles }: LabelOptions): Label[] {
  const outlines = targets.map((t) => t.outline);
  const placed: Box[] = [];
  const labels: Label[] = new Array(targets.length);
  const order = targets.map((_, i) => i).sort((a, b) => ringArea(outlines[b]) - ringArea(outlines[a]));
  for (const index of order) {
    const target = targets[index];
    const candidates = candidatesFor(target, bounds);
    const clear = (label: Label) =>
      within(label.box, bounds) &&
      !placed.some((box) => overlaps(grow(label.box, GAP / 2), box)) &&
      !obstacles.some((box) => overlaps(label.box, box)) &&
      (label.inside
        ? boxInsideRing(grow(label.box, GAP), target.outline)
        : !outlines.some((outline) => boxTouchesRing(label.box, outline)));
    const cost = (label: Label) =>
      4 * placed.reduce((sum, box) => sum + overlapArea(label.box, box), 0) +
      4 * obstacles.reduce((sum, box) => sum + overlapArea(label.box, box), 0) +
      outlines.reduce((sum, outline, i) => sum + (i !== index && boxTouchesRing(label.box, outline) ? 1 : 0), 0);
    const label =
      candidates.find(clear) ??
      candidates.reduce((best, candidate) => (cost(candidate) < cost(best) ? candidate : best));
    labels[index] = label;
    placed.push(label.box);
  }
  return labels;
}

/** Inside at each size, then beside at each size: above, below, right, left (moved into the bounds). */
function candidatesFor(target: LabelTarget, bounds: Box): Label[] {
  const frame = boundingBox(target.outline);
  const centre = { x: frame.x + frame.width / 2, y: frame.y + frame.height / 2 };
  const sized = (fontSize: number) => ({
    width: labelWidth(target.text, fontSize, target.bold),
    height: fontSize * LINE_HEIGHT,
  });
  const at = (x: number, y: number, fontSize: number, inside: boolean): Label => {
    const { width, height } = sized(fontSize);
    return { x, y, fontSize, inside, box: { x: x - width / 2, y: y - height / 2, width, height } };
  };
  const inside = target.inside.map((size) => at(centre.x, centre.y, size, true));
  const beside = target.beside.flatMap((size) => {
    const { width, height } = sized(size);
    return [
      { x: centre.x, y: frame.y - GAP - height / 2 },
      { x: centre.x, y: frame.y + frame.height + GAP + height / 2 },
      { x: frame.x + frame.width + GAP + width / 2, y: centre.y },
      { x: frame.x - GAP - width / 2, y: centre.y },
    ].map(({ x, y }) =>
      at(
        clamp(x, bounds.x + width / 2, bounds.x + bounds.width - width / 2),
        clamp(y, bounds.y + height / 2, bounds.y + bounds.height - height / 2),
        size,
        false,
      ),
    );
  });
  return [...inside, ...beside];
}

const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), Math.max(min, max));

function grow(box: Box, by: number): Box {
  return { x: box.x - by, y: box.y - by, width: box.width + 2 * by, height: box.height + 2 * by };
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function overlapArea(a: Box, b: Box): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

function within(inner: Box, outer: Box): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}

export function boundingBox(ring: readonly Point[]): Box {
  const xs = ring.map((p) => p.x);
  const ys = ring.map((p) => p.y);
  const [x, y] = [Math.min(...xs), Math.min(...ys)];
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

/** The area a ring encloses (shoelace formula), whichever way it turns. */
export function ringArea(ring: readonly Point[]): number {
  let twice = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    twice += (ring[j].x + ring[i].x) * (ring[j].y - ring[i].y);
  }
  return Math.abs(twice) / 2;
}

/** Whether `point` is inside the ring (even–odd rule). */
export function insideRing({ x, y }: Point, ring: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i];
    const b = ring[j];
    if (a.y > y !== b.y > y && x < ((b.x - a.x) * (y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/** Whether the segment from `a` to `b` passes through the box's interior (Liang–Barsky clipping). */
function segmentCrossesBox(a: Point, b: Point, box: Box): boolean {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  let t0 = 0;
  let t1 = 1;
  const edges: [number, number][] = [
    [-dx, a.x - box.x],
    [dx, box.x + box.width - a.x],
    [-dy, a.y - box.y],
    [dy, box.y + box.height - a.y],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q <= 0) return false;
    } else {
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
      if (t0 >= t1) return false;
    }
  }
  return true;
}

function edgesOf(ring: readonly Point[]): [Point, Point][] {
  return ring.map((point, i) => [point, ring[(i + 1) % ring.length]]);
}

const corners = (box: Box): Point[] => [
  { x: box.x, y: box.y },
  { x: box.x + box.width, y: box.y },
  { x: box.x + box.width, y: box.y + box.height },
  { x: box.x, y: box.y + box.height },
];

/** Whether the box lies wholly inside the ring. */
export function boxInsideRing(box: Box, ring: readonly Point[]): boolean {
  return (
    corners(box).every((corner) => insideRing(corner, ring)) &&
    !edgesOf(ring).some(([a, b]) => segmentCrossesBox(a, b, box))
  );
}

/** Whether the box covers any part of the ring's area or outline. */
export function boxTouchesRing(box: Box, ring: readonly Point[]): boolean {
  return (
    insideRing({ x: box.x + box.width / 2, y: box.y + box.height / 2 }, ring) ||
    edgesOf(ring).some(([a, b]) => segmentCrossesBox(a, b, box))
  );
}

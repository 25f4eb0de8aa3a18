import { describe, expect, it } from 'vitest';
import { clusterPoints, type Box, type Cluster, type ClusterOptions } from './clusters';
import type { Point } from './geo';

const DOT = 7;
/** The room the map leaves between a ring and its badge. */
const GAP = 2;
/** The map's drawing, with a scale bar bottom left and a north arrow top right. */
const OPTIONS: ClusterOptions = {
  dot: DOT,
  bounds: { x: 0, y: 0, width: 400, height: 300 },
  furniture: [
    { x: 16, y: 271, width: 120, height: 14 },
    { x: 345, y: 16, width: 39, height: 24 },
  ],
};

/** A deterministic pseudo-random sequence in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Meetings as a conference makes them: `perBooth` at each of `booths` places
 * spread over the plot (inside its padding), scattered within `spread` pixels
 * of the place, some at the very same spot as an earlier one.
 */
function conference(booths: number, perBooth: number, spread: number, seed: number): Point[] {
  const next = random(seed);
  const places = Array.from({ length: booths }, () => ({ x: 48 + next() * 304, y: 48 + next() * 204 }));
  const points: Point[] = [];
  for (const place of places) {
    for (let i = 0; i < perBooth; i++) {
      const [angle, distance] = [next() * 2 * Math.PI, Math.sqrt(next()) * spread];
      const fresh = { x: place.x + distance * Math.cos(angle), y: place.y + distance * Math.sin(angle) };
      points.push(points.length > 0 && next() < 0.3 ? points[Math.floor(next() * points.length)] : fresh);
    }
  }
  return points;
}

function overlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** How far `box` is from `point`. */
function reach(box: Box, point: Point): number {
  const dx = Math.max(box.x - point.x, 0, point.x - (box.x + box.width));
  const dy = Math.max(box.y - point.y, 0, point.y - (box.y + box.height));
  return Math.hypot(dx, dy);
}

function covers(box: Box, dot: Point): boolean {
  return reach(box, dot) < DOT;
}

/** What a cluster's badge takes up: its box, and its line's. */
function taken({ badge, leader }: Cluster): Box[] {
  if (!badge || !leader) return badge ? [badge] : [];
  const { from, to } = leader;
  const [x, y] = [Math.min(from.x, to.x), Math.min(from.y, to.y)];
  return [badge, { x, y, width: Math.max(from.x, to.x) - x, height: Math.max(from.y, to.y) - y }];
}

/** How far `box` is from a cluster's ring, 0 if it overlaps it. */
function gap(box: Box, { centre, radius }: Cluster): number {
  return Math.max(reach(box, centre) - radius, 0);
}

/** What the map promises of its counts, whatever the points: each broken promise, described. */
function unreadable(points: readonly Point[], clusters: readonly Cluster[]): string[] {
  const problems: string[] = [];
  // Every point is counted exactly once: a lone dot, or in one badge's count.
  const counted = clusters.flatMap((c) => c.members).sort((a, b) => a - b);
  if (counted.join() !== points.map((_, i) => i).join()) problems.push(`points counted: ${counted.join()}`);
  const clusterOf = new Map(clusters.flatMap((c, index) => c.members.map((i) => [i, index])));
  clusters.forEach((cluster, index) => {
    if ((cluster.badge !== null) !== cluster.members.length > 1) {
      problems.push(`cluster ${index} of ${cluster.members.length}: ${cluster.badge ? 'a' : 'no'} badge`);
    }
    for (const i of cluster.members) {
      const { x, y } = points[i];
      if (Math.hypot(x - cluster.centre.x, y - cluster.centre.y) + DOT > cluster.radius + 1e-9) {
        problems.push(`cluster ${index}: point ${i} outside the ring`);
      }
    }
  });
  const badged = clusters.filter((c) => c.badge !== null);
  badged.forEach((cluster, index) => {
    const box = cluster.badge!;
    const { x, y, width, height } = OPTIONS.bounds;
    if (box.x < x || box.y < y || box.x + box.width > x + width || box.y + box.height > y + height) {
      problems.push(`badge ${index} sticks out of the drawing`);
    }
    const parts = taken(cluster);
    if (parts.some((part) => OPTIONS.furniture.some((thing) => overlap(part, thing)))) {
      problems.push(`badge ${index} covers the scale bar or the north arrow`);
    }
    badged.slice(index + 1).forEach((other, j) => {
      if (parts.some((part) => taken(other).some((theirs) => overlap(part, theirs)))) {
        problems.push(`badges ${index} and ${index + 1 + j} overlap`);
      }
    });
    points.forEach((point, i) => {
      if (!cluster.members.includes(i) && parts.some((part) => covers(part, point))) {
        problems.push(`badge ${index} hides point ${i}`);
      }
    });
    // Right beside its own ring (a corner of it, diagonally), or tied to it by a line.
    if (Math.min(...parts.map((part) => gap(part, cluster))) > GAP * Math.SQRT2 + 1e-9) {
      problems.push(`badge ${index} is away from its ring`);
    }
  });
  // No ring holds another cluster's dot.
  clusters.forEach(({ centre, radius }, index) =>
    points.forEach((point, i) => {
      if (clusterOf.get(i) !== index && Math.hypot(point.x - centre.x, point.y - centre.y) < radius) {
        problems.push(`point ${i} lies within the ring of cluster ${index}`);
      }
    }),
  );
  // Dots too close to tell apart are counted together.
  points.forEach((a, i) =>
    points.forEach((b, j) => {
      if (Math.hypot(a.x - b.x, a.y - b.y) < DOT && clusterOf.get(i) !== clusterOf.get(j)) {
        problems.push(`points ${i} and ${j} look like one but are counted apart`);
      }
    }),
  );
  return problems;
}

describe('clusterPoints', () => {
  it('counts meetings at one spot with one badge to their right, and leaves a lone one be', () => {
    const stack = Array<Point>(5).fill({ x: 100, y: 100 });
    const points = [...stack, { x: 300, y: 200 }];
    const clusters = clusterPoints(points, OPTIONS);

    expect(clusters.map((c) => c.members)).toEqual([[0, 1, 2, 3, 4], [5]]);
    const [spot, lone] = clusters;
    expect(spot.centre).toEqual({ x: 100, y: 100 });
    expect(spot.radius).toBeLessThan(2 * DOT);
    expect(spot.badge!.x).toBeGreaterThan(100 + DOT);
    expect(lone.badge).toBeNull();
    expect(unreadable(points, clusters)).toEqual([]);
  });

  it('counts many meetings within a few pixels as one', () => {
    const points = conference(1, 60, 2, 1);
    const clusters = clusterPoints(points, OPTIONS);

    expect(clusters).toHaveLength(1);
    expect(clusters[0].members).toHaveLength(60);
    expect(unreadable(points, clusters)).toEqual([]);
  });

  it('keeps crowded counts apart by counting neighbours together', () => {
    // Pairs of meetings at spots 9 px apart: each dot stands out, but counts beside each would overlap.
    const spots = Array.from({ length: 36 }, (_, i) => ({ x: 170 + (i % 6) * 9, y: 120 + Math.floor(i / 6) * 9 }));
    const points = spots.flatMap((spot) => [spot, spot]);
    const clusters = clusterPoints(points, OPTIONS);

    expect(clusters.length).toBeLessThan(spots.length);
    expect(clusters.reduce((sum, c) => sum + (c.badge ? c.members.length : 0), 0)).toBe(points.length);
    expect(unreadable(points, clusters)).toEqual([]);
  });

  it('keeps counts off the north arrow and inside the drawing', () => {
    const points = [...Array<Point>(3).fill({ x: 352, y: 48 }), ...Array<Point>(3).fill({ x: 352, y: 252 })];
    expect(unreadable(points, clusterPoints(points, OPTIONS))).toEqual([]);
  });

  it.each([
    [6, 10, 6],
    [12, 8, 15],
    [24, 10, 10],
    [40, 5, 4],
    [80, 3, 2],
    [200, 5, 30],
  ])('keeps the counts readable for %i booths of %i meetings within %i px', (booths, perBooth, spread) => {
    for (const seed of [1, 2, 3]) {
      const points = conference(booths, perBooth, spread, seed);
      expect(unreadable(points, clusterPoints(points, OPTIONS))).toEqual([]);
    }
  });
});

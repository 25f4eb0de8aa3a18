// Counts for the map's dots that stay readable at any density.
//
// The map is drawn to scale, so meetings at one spot, or a few pixels apart,
// fall on top of each other. Every meeting keeps its own dot where it
// happened (each one focusable and described, as before), and a badge "×N"
// beside a dashed ring says how many meetings the dots inside it stand for:
//
// 1. Meetings are counted in *clusters*, each with a ring around its dots
//    that holds no other dot: a cluster whose ring takes in another's dot
//    joins it, under a wider ring, until none does. Starting from each
//    meeting alone, its ring hugging its dot, this counts together the dots
//    too close to tell apart, and a ring shows exactly which dots it counts.
// 2. Each cluster of more than one meeting gets a badge, biggest count
//    first: at eight places just off its ring, right first, or else the same
//    eight a step or two farther out, tied to the ring by a short line. The
//    first place taken is clear of the other badges and lines, of the scale
//    bar and the north arrow, and by a margin of the other rings (a lone
//    dot's included), so that the badge is nearest its own ring; if there is
//    none, the first that at least hides no other dot.
// 3. A cluster whose badge fits nowhere joins the nearest cluster in the way,
//    and all starts again from 1. Every round that joins clusters leaves
//    fewer of them, so this ends, at worst (a map crammed with dots) with one
//    cluster counting all.
//
// Hence badges never overlap one another or hide another cluster's dot, each
// touches its ring or is tied to it, and every meeting is either a lone dot
// or counted by exactly one badge, however dense the map. This is how map libraries cluster markers, without their
// zooming: the map is a small overview beside the list, and counts that need
// no interaction serve mouse, keyboard and screen-magnifier users alike.

import type { Point } from './geo';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Cluster {
  /** Indices of the points counted, in the order given. */
  members: number[];
  /** Centre and radius of a ring around every member's dot (drawn with the badge). */
  centre: Point;
  radius: number;
  /** Where the badge "×N" goes; null for a lone meeting, which needs neither. */
  badge: Box | null;
  /** A line from the ring to the badge, where the badge could not go right beside the ring. */
  leader: Segment | null;
}

export interface Segment {
  from: Point;
  to: Point;
}

export interface ClusterOptions {
  /** Radius of a dot. */
  dot: number;
  /** The drawing: badges stay inside it. */
  bounds: Box;
  /** The rest of the drawing that badges must not cover (scale bar, north arrow). */
  furniture: readonly Box[];
}

/** Font size of the counts, user units; their badges are sized from it. */
export const COUNT_FONT_SIZE = 14;
/** Room around a count inside its badge. */
const PADDING = { x: 4, y: 3 };
/** Room between a ring and its dots or its badge, and between badges. */
const GAP = 2;
/** The least room between a badge and another cluster's ring: more than GAP, so a badge is nearest its own. */
const CLEARANCE = 3 * GAP;
/** How near a badge may come to another cluster's ring: first choice, and last. */
const MARGINS = [CLEARANCE, -GAP];
/** How much farther out each step of the places tied by a line goes, and how many steps there are. */
const STEP = COUNT_FONT_SIZE + 2 * PADDING.y;
const STEPS = 2;

export function countText(count: number): string {
  return `×${count}`;
}

/**
 * An upper bound of the width of `text` (digits, "×", "m", "k" and spaces)
 * at `fontSize` in the page's sans-serif fonts, bold or not: 0.72 em a
 * character, as wide as DejaVu Sans Bold's digits and wider than most
 * others'. The end-to-end test checks in Chromium that every count fits its
 * badge.
 */
export function textWidth(text: string, fontSize: number): number {
  return text.length * 0.72 * fontSize;
}

/** Counts clumps of `points` (dot centres) and places their badges; see the top of this file. */
export function clusterPoints(points: readonly Point[], options: ClusterOptions): Cluster[] {
  const dots = new Grid(4 * options.dot);
  points.forEach((point, i) => dots.add(i, around(point, 0)));
  const sets = new DisjointSets(points.length);
  for (;;) {
    const { clusters, owner } = gather(points, sets, options.dot);
    let joins = intruded(clusters, owner, points, dots);
    if (joins.length === 0) {
      const { places, joins: crowded } = placeBadges(clusters, options);
      if (crowded.length === 0) return clusters.map((cluster, i) => ({ ...cluster, ...(places[i] ?? LONE) }));
      joins = crowded;
    }
    for (const [a, b] of joins) sets.union(clusters[a].members[0], clusters[b].members[0]);
  }
}

type Unplaced = Omit<Cluster, 'badge' | 'leader'>;
interface Place {
  badge: Box;
  leader: Segment | null;
}
/** A lone meeting's: neither badge nor line. */
const LONE = { badge: null, leader: null };

/** The clusters the sets make, in the order of their first members, and each point's cluster (by index). */
function gather(points: readonly Point[], sets: DisjointSets, dot: number): { clusters: Unplaced[]; owner: number[] } {
  const byRoot = new Map<number, number[]>();
  points.forEach((_, i) => {
    const root = sets.find(i);
    const members = byRoot.get(root);
    if (members) members.push(i);
    else byRoot.set(root, [i]);
  });
  const owner: number[] = [];
  const clusters = [...byRoot.values()].map((members, index) => {
    members.forEach((i) => (owner[i] = index));
    const xs = members.map((i) => points[i].x);
    const ys = members.map((i) => points[i].y);
    const centre = {
      x: (Math.min(...xs) + Math.max(...xs)) / 2,
      y: (Math.min(...ys) + Math.max(...ys)) / 2,
    };
    const reach = members.reduce((far, i) => Math.max(far, distance(centre, points[i])), 0);
    return { members, centre, radius: reach + dot + GAP };
  });
  return { clusters, owner };
}

/** Pairs of clusters the first of which has a dot of the second within its ring. */
function intruded(
  clusters: readonly Unplaced[],
  owner: readonly number[],
  points: readonly Point[],
  dots: Grid,
): [number, number][] {
  const joins: [number, number][] = [];
  clusters.forEach(({ centre, radius }, index) =>
    dots.near(around(centre, radius), (i) => {
      if (owner[i] !== index && distance(centre, points[i]) < radius) joins.push([index, owner[i]]);
    }),
  );
  return joins;
}

/**
 * Places of the badges for the clusters of more than one meeting, biggest
 * first; where a badge fits nowhere, the pair of clusters to join before
 * trying again. A cluster joins at most once a round, so that a crowded spot
 * does not swallow every neighbour at once.
 */
function placeBadges(
  clusters: readonly Unplaced[],
  { dot, bounds, furniture }: ClusterOptions,
): { places: (Place | null)[]; joins: [number, number][] } {
  const places: (Place | null)[] = clusters.map(() => null);
  const rings = new Grid(4 * dot);
  clusters.forEach(({ centre, radius }, index) => rings.add(index, around(centre, radius)));
  /** What each placed badge takes up: its box, and its line's (as a box, which is plenty for a short line). */
  const taken: Box[][] = clusters.map(() => []);
  const placed = new Grid(4 * dot);
  const joins: [number, number][] = [];
  const joined = new Set<number>();

  /**
   * Adds to `found` the other clusters whose badge `box` comes too near, or
   * whose ring it comes within `margin` of; whether there are any.
   */
  const inTheWay = (box: Box, own: number, margin: number, found: Set<number>): boolean => {
    let any = false;
    const note = (other: number) => {
      found.add(other);
      any = true;
    };
    const spaced = grow(box, GAP);
    placed.near(spaced, (other) => {
      if (taken[other].some((part) => overlaps(spaced, part))) note(other);
    });
    rings.near(grow(box, Math.max(margin, 0)), (other) => {
      const { centre, radius } = clusters[other];
      if (other !== own && circleMeetsBox(centre, radius + margin, box)) note(other);
    });
    return any;
  };

  const order = clusters
    .map((cluster, index) => ({ index, count: cluster.members.length }))
    .filter(({ count }) => count > 1)
    .sort((a, b) => b.count - a.count || a.index - b.index);
  for (const { index, count } of order) {
    const candidates = placesAround(clusters[index], badgeSize(countText(count)), bounds);
    const blockers = new Set<number>();
    const fits = (candidate: Place, margin: number) =>
      parts(candidate).every(
        (part) => !inTheWay(part, index, margin, blockers) && !furniture.some((thing) => overlaps(part, thing)),
      );
    // Clear of the other rings if it can be, else at least of their dots (which lie GAP inside).
    let place = MARGINS.map((margin) => candidates.find((candidate) => fits(candidate, margin))).find(Boolean);
    // Only the furniture in the way everywhere (a cluster as wide as the map): cover it rather than nothing.
    if (!place && blockers.size === 0) place = candidates[0];
    if (place) {
      places[index] = place;
      taken[index] = parts(place);
      taken[index].forEach((part) => placed.add(index, part));
    } else if (!joined.has(index)) {
      const centre = clusters[index].centre;
      const nearest = [...blockers]
        .filter((other) => !joined.has(other))
        .sort((a, b) => distance(centre, clusters[a].centre) - distance(centre, clusters[b].centre))[0];
      if (nearest !== undefined) {
        joins.push([index, nearest]);
        joined.add(index).add(nearest);
      }
    }
  }
  return { places, joins };
}

/** The boxes a place takes up: the badge's, and its line's, widened by a stroke. */
function parts({ badge, leader }: Place): Box[] {
  if (!leader) return [badge];
  const { from, to } = leader;
  const [x, y] = [Math.min(from.x, to.x), Math.min(from.y, to.y)];
  return [badge, grow({ x, y, width: Math.max(from.x, to.x) - x, height: Math.max(from.y, to.y) - y }, 1)];
}

function badgeSize(text: string): { width: number; height: number } {
  return {
    width: textWidth(text, COUNT_FONT_SIZE) + 2 * PADDING.x,
    height: COUNT_FONT_SIZE + 2 * PADDING.y,
  };
}

/**
 * Places for a badge around a cluster's ring, in order of preference: just
 * off the ring, to the right (after the dots, as text reads, and where the
 * counts always were), then above and below, then to the left; then the same
 * a step and two steps farther out, with a line to the ring. Each is moved
 * inside `bounds` where it would stick out.
 */
function placesAround(cluster: Unplaced, size: { width: number; height: number }, bounds: Box): Place[] {
  const { centre, radius } = cluster;
  // [east, south] steps: −1, 0 or 1.
  const directions = [
    [1, -1],
    [1, 0],
    [1, 1],
    [0, -1],
    [0, 1],
    [-1, -1],
    [-1, 0],
    [-1, 1],
  ];
  return Array.from({ length: STEPS + 1 }, (_, step) =>
    directions.map(([east, south]) => {
      const diagonal = east !== 0 && south !== 0;
      // A corner of the badge on the ring's diagonal, or the middle of a side on its axis.
      const reach = (diagonal ? radius * Math.SQRT1_2 : radius) + GAP + step * STEP;
      const x = centre.x + east * reach - (east < 0 ? size.width : east === 0 ? size.width / 2 : 0);
      const y = centre.y + south * reach - (south < 0 ? size.height : south === 0 ? size.height / 2 : 0);
      const badge = {
        x: clamp(x, bounds.x, bounds.x + bounds.width - size.width),
        y: clamp(y, bounds.y, bounds.y + bounds.height - size.height),
        ...size,
      };
      if (step === 0) return { badge, leader: null };
      const scale = diagonal ? Math.SQRT1_2 : 1;
      const from = { x: centre.x + east * scale * radius, y: centre.y + south * scale * radius };
      // To the badge's nearest point.
      const to = {
        x: clamp(from.x, badge.x, badge.x + badge.width),
        y: clamp(from.y, badge.y, badge.y + badge.height),
      };
      return { badge, leader: { from, to } };
    }),
  ).flat();
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

// Not Math.hypot, which is several times slower: this runs for every dot near every place tried.
function distance(a: Point, b: Point): number {
  return Math.sqrt((a.x - b.x) ** 2 + (a.y - b.y) ** 2);
}

/** Whether two boxes share more than an edge. */
function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function grow(box: Box, by: number): Box {
  return { x: box.x - by, y: box.y - by, width: box.width + 2 * by, height: box.height + 2 * by };
}

function around(point: Point, by: number): Box {
  return { x: point.x - by, y: point.y - by, width: 2 * by, height: 2 * by };
}

function circleMeetsBox(centre: Point, radius: number, box: Box): boolean {
  const dx = centre.x - clamp(centre.x, box.x, box.x + box.width);
  const dy = centre.y - clamp(centre.y, box.y, box.y + box.height);
  return dx * dx + dy * dy < radius * radius;
}

/** Boxes (a point is one without size) bucketed by square cells, to find those near a place quickly. */
class Grid {
  private readonly cells = new Map<number, number[]>();
  private readonly size: number;

  constructor(size: number) {
    this.size = size;
  }

  add(index: number, box: Box): void {
    this.visitCells(box, (key) => {
      const cell = this.cells.get(key);
      if (cell) cell.push(index);
      else this.cells.set(key, [index]);
    });
  }

  /** Calls `visit` with the index of everything in the cells `box` touches (so of all that meets it), maybe twice. */
  near(box: Box, visit: (index: number) => void): void {
    this.visitCells(box, (key) => this.cells.get(key)?.forEach(visit));
  }

  private visitCells(box: Box, visit: (key: number) => void): void {
    const [left, right] = [Math.floor(box.x / this.size), Math.floor((box.x + box.width) / this.size)];
    const [top, bottom] = [Math.floor(box.y / this.size), Math.floor((box.y + box.height) / this.size)];
    for (let col = left; col <= right; col++) {
      // One number a cell: unique while rows stay within ±500 000 cells.
      for (let row = top; row <= bottom; row++) visit(col * 0x100000 + row);
    }
  }
}

/** Union–find over 0…size−1, with path halving. */
class DisjointSets {
  private readonly parent: number[];

  constructor(size: number) {
    this.parent = Array.from({ length: size }, (_, i) => i);
  }

  find(i: number): number {
    let at = i;
    while (this.parent[at] !== at) {
      this.parent[at] = this.parent[this.parent[at]];
      at = this.parent[at];
    }
    return at;
  }

  union(a: number, b: number): void {
    this.parent[this.find(a)] = this.find(b);
  }
}

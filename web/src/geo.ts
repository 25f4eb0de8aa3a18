// Plotting places met on a plain SVG: a local equirectangular projection
// around the centroid (exact enough over a conference venue or a city),
// fitted into a viewport with one scale for both axes, and a scale bar of a
// round length.

/** Mean Earth radius (IUGG), metres; the API measures with the same one. */
export const EARTH_RADIUS_M = 6_371_008.8;

export interface LatLon {
  latitude: number;
  longitude: number;
}

/** Metres east (x) and south (y) of an origin: y grows downwards, as on screen. */
export interface Point {
  x: number;
  y: number;
}

const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** The mean position; places that far apart are out of this page's scope. */
export function centroid(points: readonly LatLon[]): LatLon {
  if (points.length === 0) throw new RangeError('no points');
  const sum = points.reduce(
    (acc, p) => ({ latitude: acc.latitude + p.latitude, longitude: acc.longitude + p.longitude }),
    { latitude: 0, longitude: 0 },
  );
  return { latitude: sum.latitude / points.length, longitude: sum.longitude / points.length };
}

/** x = Δlon·cos(lat0)·R, y = −Δlat·R, angles in radians. */
export function project(point: LatLon, origin: LatLon): Point {
  return {
    x: radians(point.longitude - origin.longitude) * Math.cos(radians(origin.latitude)) * EARTH_RADIUS_M,
    y: -radians(point.latitude - origin.latitude) * EARTH_RADIUS_M,
  };
}

/** The round length (1, 2 or 5 × 10ⁿ) nearest to `target`, by ratio. */
export function roundLength(target: number): number {
  if (!(target > 0 && Number.isFinite(target))) throw new RangeError(`not a positive length: ${target}`);
  const power = 10 ** Math.floor(Math.log10(target));
  // 10 ** -1 * 5 is 0.5000000000000001: keep the value a round number.
  const candidates = [1, 2, 5, 10].map((n) => Number((n * power).toPrecision(12)));
  const misfit = (length: number) => Math.abs(Math.log(length / target));
  return candidates.reduce((best, length) => (misfit(length) < misfit(best) ? length : best));
}

export interface ScaleBar {
  meters: number;
  pixels: number;
  label: string;
}

/** A scale bar about a fifth of a viewport `width` pixels wide showing `metersPerPixel`. */
export function scaleBar(width: number, metersPerPixel: number): ScaleBar {
  const meters = roundLength((width * metersPerPixel) / 5);
  const label = meters >= 1000 ? `${meters / 1000} km` : `${meters} m`;
  return { meters, pixels: meters / metersPerPixel, label };
}

export interface Viewport {
  width: number;
  height: number;
  padding: number;
  /** The least span shown, metres, so that points at one spot do not fill the plot. */
  minExtent: number;
}

export interface Layout {
  origin: LatLon;
  /** Each input point's position in the viewport, pixels. */
  positions: Point[];
  metersPerPixel: number;
}

/** Positions of `points` in the viewport, centred, with equal scales on both axes. */
export function layout(points: readonly LatLon[], viewport: Viewport): Layout {
  const origin = centroid(points);
  const projected = points.map((p) => project(p, origin));
  const xs = projected.map((p) => p.x);
  const ys = projected.map((p) => p.y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const innerWidth = viewport.width - 2 * viewport.padding;
  const innerHeight = viewport.height - 2 * viewport.padding;
  const metersPerPixel = Math.max(
    (maxX - minX) / innerWidth,
    (maxY - minY) / innerHeight,
    viewport.minExtent / Math.min(innerWidth, innerHeight),
  );
  const centre = { x: (minX + maxX) / 2, y: (minY + maxY) / 2 };
  return {
    origin,
    positions: projected.map((p) => ({
      x: viewport.width / 2 + (p.x - centre.x) / metersPerPixel,
      y: viewport.height / 2 + (p.y - centre.y) / metersPerPixel,
    })),
    metersPerPixel,
  };
}

// An event's floor plan on a plain SVG, to scale: the booths and rooms of
// its GeoJSON (rings of [longitude, latitude]) in the local equirectangular
// projection of geo.ts around the plan's middle (x shrunk by the cosine of
// its latitude), one scale for both axes, north up, fitted to a width, and
// every area named (labels.ts).

import type { Area } from './api';
import type { Box } from './clusters';
import { project, scaleBar, type LatLon, type Point, type ScaleBar } from './geo';
import { placeLabels, type Label } from './labels';

export type AreaKind = 'room' | 'booth';

export interface PlanArea {
  id: number;
  name: string;
  kind: AreaKind;
  exhibitor: string | null;
  /** The outline, then any holes, in drawing units. */
  rings: Point[][];
}

export interface PlanFrame {
  width: number;
  /** The tallest drawing wanted: a tall plan is fitted to it rather than to the width. */
  maxHeight: number;
  /** Room kept clear around the areas (for labels beside the outer ones, the scale bar, the north arrow). */
  margin: { top: number; right: number; bottom: number; left: number };
  /** The least span shown, metres, so that a single tiny area does not fill the drawing. */
  minExtent: number;
}

export interface PlanDrawing {
  areas: PlanArea[];
  width: number;
  height: number;
  metersPerPixel: number;
  /** The point the projection is centred on. */
  origin: LatLon;
  bar: ScaleBar;
}

/** Where each area lies in a drawing `frame.width` wide; null for a plan without areas. */
export function drawPlan(features: readonly Area[], frame: PlanFrame): PlanDrawing | null {
  const positions = features.flatMap((f) => f.geometry.coordinates.flat());
  if (positions.length === 0) return null;
  const longitudes = positions.map(([longitude]) => longitude);
  const latitudes = positions.map(([, latitude]) => latitude);
  const origin = {
    latitude: (Math.min(...latitudes) + Math.max(...latitudes)) / 2,
    longitude: (Math.min(...longitudes) + Math.max(...longitudes)) / 2,
  };
  const projected = features.map((f) =>
    f.geometry.coordinates.map((ring) => ring.map(([longitude, latitude]) => project({ latitude, longitude }, origin))),
  );
  const all = projected.flat(2);
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const { margin } = frame;
  const innerWidth = frame.width - margin.left - margin.right;
  const innerMaxHeight = frame.maxHeight - margin.top - margin.bottom;
  const metersPerPixel = Math.max(
    (maxX - minX) / innerWidth,
    (maxY - minY) / innerMaxHeight,
    frame.minExtent / Math.min(innerWidth, innerMaxHeight),
  );
  const innerHeight = (maxY - minY) / metersPerPixel;
  const offset = {
    x: margin.left + (innerWidth - (maxX - minX) / metersPerPixel) / 2,
    y: margin.top,
  };
  const toDrawing = ({ x, y }: Point): Point => ({
    x: offset.x + (x - minX) / metersPerPixel,
    y: offset.y + (y - minY) / metersPerPixel,
  });
  return {
    areas: features.map((f, i) => ({
      id: f.id,
      name: f.properties.name,
      kind: f.properties.kind === 'room' ? 'room' : 'booth',
      exhibitor: f.properties.exhibitor ?? null,
      rings: projected[i].map((ring) => ring.map(toDrawing)),
    })),
    width: frame.width,
    height: margin.top + innerHeight + margin.bottom,
    metersPerPixel,
    origin,
    bar: scaleBar(frame.width, metersPerPixel),
  };
}

/** An SVG path of the rings (draw it with `fill-rule: evenodd`, so holes stay open). */
export function ringsPath(rings: readonly Point[][]): string {
  return rings
    .map((ring) => `M${ring.map(({ x, y }) => `${round(x)} ${round(y)}`).join(' L')} Z`)
    .join(' ');
}

const round = (value: number) => Math.round(value * 100) / 100;

/** Font sizes of the names: rooms' inside (bold), booths' inside, and either's beside. */
const ROOM_SIZES = { inside: [16, 14, 12], beside: [12, 11] };
const BOOTH_SIZES = { inside: [12, 11], beside: [12, 11, 10, 9] };

/** Every area's name, placed (see labels.ts), in the order of `drawing.areas`. */
export function areaLabels(drawing: PlanDrawing, obstacles: readonly Box[]): Label[] {
  return placeLabels(
    drawing.areas.map((area) => ({
      text: area.name,
      outline: area.rings[0],
      ...(area.kind === 'room' ? ROOM_SIZES : BOOTH_SIZES),
      bold: area.kind === 'room',
    })),
    { bounds: { x: 0, y: 0, width: drawing.width, height: drawing.height }, obstacles },
  );
}

import { useMemo } from 'react';
import type { Area } from '../api';
import type { Box } from '../clusters';
import { formatCoordinate, plural } from '../format';
import { areaLabels, drawPlan, ringsPath, type PlanArea, type PlanFrame } from '../floorplan';
import { labelWidth } from '../labels';

/** SVG user units; the drawing scales to its container (and scrolls sideways on a phone). */
const FRAME: PlanFrame = {
  width: 880,
  maxHeight: 640,
  margin: { top: 36, right: 24, bottom: 44, left: 24 },
  minExtent: 20,
};
const MARGIN = 14;
const FURNITURE_FONT_SIZE = 13;
const BAR_LABEL_GAP = 6;
/** The north arrow: its tip, half width and height, and how far left of it the "N" ends. */
const ARROW = { x: FRAME.width - MARGIN - 8, y: 6, halfWidth: 7, height: 22, labelOffset: 13 };
const NORTH_ARROW_BOX: Box = {
  x: ARROW.x - ARROW.labelOffset - labelWidth('N', FURNITURE_FONT_SIZE, true),
  y: ARROW.y,
  width: ARROW.labelOffset + labelWidth('N', FURNITURE_FONT_SIZE, true) + ARROW.halfWidth,
  height: ARROW.height,
};

/** What the plan singles out, by area id. */
export interface PlanHighlights {
  /** Whose day is shown: their attended rooms and visited booths stand out. */
  attendee: { name: string; areas: ReadonlySet<number> } | null;
  /** The person chosen among those the attendee shares the most with, and the areas they share. */
  shared: { name: string; areas: ReadonlySet<number> } | null;
  /** An area pointed at elsewhere (on the timeline). */
  focused: number | null;
}

interface FloorPlanProps {
  areas: Area[];
  eventName: string;
  highlights: PlanHighlights;
}

/** The event's booths and rooms to scale, north up, each named. */
export function FloorPlan({ areas, eventName, highlights }: FloorPlanProps) {
  const figure = useMemo(() => plot(areas), [areas]);
  if (!figure) return <p className="empty">No floor plan has been uploaded for this event yet.</p>;
  const { drawing, labels } = figure;
  const { width, height, bar, origin } = drawing;
  const { attendee, shared, focused } = highlights;
  const { halfWidth, height: arrowHeight } = ARROW;

  const state = (area: PlanArea) => ({
    visited: attendee?.areas.has(area.id) ?? false,
    shared: shared?.areas.has(area.id) ?? false,
    focused: focused === area.id,
  });
  const weight = (area: PlanArea) => {
    const s = state(area);
    return Number(s.visited) + 2 * Number(s.shared) + 4 * Number(s.focused);
  };
  // Areas that stand out are drawn last, so that their outlines are not hidden.
  const ordered = [...drawing.areas].sort((a, b) => weight(a) - weight(b));
  const rooms = drawing.areas.filter((a) => a.kind === 'room').length;
  const booths = drawing.areas.length - rooms;
  const summary =
    `Floor plan of ${eventName}: ${plural(rooms, 'room')} and ${plural(booths, 'booth')} around ` +
    `${formatCoordinate(origin.latitude)}, ${formatCoordinate(origin.longitude)}; scale bar ${bar.label}, north up.`;

  return (
    <figure className="floor-plan">
      <div className="floor-plan-scroll">
        <svg
          data-testid="floor-plan"
          role="group"
          aria-label={summary}
          viewBox={`0 0 ${width} ${height}`}
          preserveAspectRatio="xMidYMid meet"
        >
          <rect className="plan-background" width={width} height={height} rx={8} />
          <g className="plan-areas">
            {ordered.map((area) => {
              const s = state(area);
              const description = areaDescription(area, s, attendee?.name, shared?.name);
              const classes = [
                'plan-area',
                `plan-${area.kind}`,
                s.visited && 'is-visited',
                s.shared && 'is-shared',
                shared && !s.shared && 'is-dimmed',
                s.focused && 'is-focused',
              ];
              return (
                <path
                  key={area.id}
                  data-testid={`area-${area.id}`}
                  className={classes.filter(Boolean).join(' ')}
                  d={ringsPath(area.rings)}
                  role="img"
                  aria-label={description}
                >
                  <title>{description}</title>
                </path>
              );
            })}
          </g>
          <g className="plan-labels" aria-hidden="true">
            {drawing.areas.map((area, i) => (
              <text
                key={area.id}
                className={`plan-label plan-label-${area.kind}`}
                data-area={area.id}
                x={labels[i].x}
                y={labels[i].y}
                fontSize={labels[i].fontSize}
                textAnchor="middle"
                dominantBaseline="central"
              >
                {area.name}
              </text>
            ))}
          </g>
          <g className="scale-bar" transform={`translate(${MARGIN} ${height - MARGIN})`} aria-hidden="true">
            <path d={`M0 -6 V0 H${bar.pixels} V-6`} />
            <text x={bar.pixels + BAR_LABEL_GAP} y={0} fontSize={FURNITURE_FONT_SIZE}>
              {bar.label}
            </text>
          </g>
          <g className="north-arrow" transform={`translate(${ARROW.x} ${ARROW.y})`} aria-hidden="true">
            <path d={`M0 0 L${halfWidth} ${arrowHeight} L0 ${arrowHeight - 5} L${-halfWidth} ${arrowHeight} Z`} />
            <text x={-ARROW.labelOffset} y={15} fontSize={FURNITURE_FONT_SIZE} textAnchor="end">
              N
            </text>
          </g>
        </svg>
      </div>
      <figcaption>
        <ul className="legend" aria-label="Legend">
          <li>
            <span className="swatch swatch-room" aria-hidden="true" /> Room
          </li>
          <li>
            <span className="swatch swatch-booth" aria-hidden="true" /> Booth
          </li>
          {attendee && (
            <li>
              <span className="swatch swatch-visited" aria-hidden="true" /> Attended or visited by {attendee.name}
            </li>
          )}
          {shared && (
            <li>
              <span className="swatch swatch-shared" aria-hidden="true" /> Shared with {shared.name}
            </li>
          )}
        </ul>
      </figcaption>
    </figure>
  );
}

/** An area's accessible name and tooltip: what it is, and what it is to the people shown. */
function areaDescription(
  area: PlanArea,
  state: { visited: boolean; shared: boolean },
  attendee: string | undefined,
  shared: string | undefined,
): string {
  const what = area.kind === 'room' ? 'room' : area.exhibitor ? `booth of ${area.exhibitor}` : 'booth';
  const notes = [
    state.visited && attendee && `${area.kind === 'room' ? 'attended' : 'visited'} by ${attendee}`,
    state.shared && shared && `shared with ${shared}`,
  ].filter(Boolean);
  return `${area.name}, ${what}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

/** The drawing and its labels, which depend on the areas alone. */
function plot(areas: Area[]) {
  const drawing = drawPlan(areas, FRAME);
  if (!drawing) return null;
  const scaleBarBox: Box = {
    x: MARGIN,
    y: drawing.height - MARGIN - FURNITURE_FONT_SIZE,
    width: drawing.bar.pixels + BAR_LABEL_GAP + labelWidth(drawing.bar.label, FURNITURE_FONT_SIZE),
    height: FURNITURE_FONT_SIZE + 2,
  };
  return { drawing, labels: areaLabels(drawing, [scaleBarBox, NORTH_ARROW_BOX]) };
}

import { useMemo } from 'react';
import type { Contact } from '../api';
import { clusterPoints, countText, COUNT_FONT_SIZE, textWidth, type Box } from '../clusters';
import { formatCoordinate, formatTimeRange, fullName, plural } from '../format';
import { layout, scaleBar, type Point, type ScaleBar, type Viewport } from '../geo';

/** SVG user units; the drawing scales to its container. */
// The padding keeps points clear of the scale bar and the north arrow in the corners.
const VIEWPORT: Viewport = { width: 400, height: 300, padding: 48, minExtent: 50 };
const MARGIN = 16;
const RADIUS = 7;
/** Font size of the scale bar's length and of the north arrow's "N". */
const FURNITURE_FONT_SIZE = 13;
/** Between the scale bar's end and its length. */
const BAR_LABEL_GAP = 6;
/** The north arrow: its tip, half width and height, and how far left of it the "N" ends. */
const ARROW = { x: VIEWPORT.width - MARGIN - 8, y: MARGIN, halfWidth: 8, height: 24, labelOffset: 14 };
/** The north arrow and its "N", as drawn. */
const NORTH_ARROW_BOX: Box = {
  x: ARROW.x - ARROW.labelOffset - textWidth('N', FURNITURE_FONT_SIZE),
  y: ARROW.y,
  width: ARROW.labelOffset + textWidth('N', FURNITURE_FONT_SIZE) + ARROW.halfWidth,
  height: ARROW.height,
};

interface MeetingMapProps {
  contacts: Contact[];
  /** Persons whose meetings stand out. */
  highlighted: ReadonlySet<number>;
  onHighlight: (personId: number | null) => void;
}

/** Where the shown contacts were met, to scale, north up. */
export function MeetingMap({ contacts, highlighted, onHighlight }: MeetingMapProps) {
  // Laid out and clustered when the contacts change, not on every highlight.
  const drawing = useMemo(() => plot(contacts), [contacts]);
  if (!drawing) return null;
  const { points, origin, bar, clusters, places } = drawing;

  const centre = `${formatCoordinate(origin.latitude)}, ${formatCoordinate(origin.longitude)}`;
  const summary =
    `Map of ${plural(points.length, 'meeting')} with ${plural(contacts.length, 'person', 'people')} ` +
    `at ${plural(places, 'place')} around ${centre}; scale bar ${bar.label}, north up.`;
  // Highlighted points last, so that they are drawn above the others.
  const ordered = [...points].sort(
    (a, b) => Number(highlighted.has(a.contact.person.id)) - Number(highlighted.has(b.contact.person.id)),
  );
  const { width, height } = VIEWPORT;
  const { halfWidth, height: arrowHeight } = ARROW;

  return (
    <figure className="meeting-map">
      <svg
        data-testid="meeting-map"
        role="img"
        aria-label={summary}
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="xMidYMid meet"
      >
        <rect className="map-background" width={width} height={height} rx={8} />
        <g className="map-rings" aria-hidden="true">
          {clusters.map(
            ({ members, centre, radius, badge, leader }) =>
              badge && (
                <g key={members[0]}>
                  <path d={ringPath(centre, radius)} />
                  {leader && <line x1={leader.from.x} y1={leader.from.y} x2={leader.to.x} y2={leader.to.y} />}
                </g>
              ),
          )}
        </g>
        <g className="map-points">
          {ordered.map(({ contact, meeting, at }) => {
            const id = contact.person.id;
            const label = `${fullName(contact.person)}: ${formatTimeRange(meeting.start, meeting.end)} at ${formatCoordinate(meeting.latitude)}, ${formatCoordinate(meeting.longitude)}`;
            return (
              <circle
                key={`${id}/${meeting.start}/${meeting.end}`}
                className={highlighted.has(id) ? 'map-point is-highlighted' : 'map-point'}
                cx={at.x}
                cy={at.y}
                r={RADIUS}
                tabIndex={0}
                aria-label={label}
                onMouseEnter={() => onHighlight(id)}
                onMouseLeave={() => onHighlight(null)}
                onFocus={() => onHighlight(id)}
                onBlur={() => onHighlight(null)}
              >
                <title>{label}</title>
              </circle>
            );
          })}
        </g>
        <g className="map-stacks" aria-hidden="true">
          {clusters.map(
            ({ members, badge }) => badge && <CountBadge key={members[0]} box={badge} count={members.length} />,
          )}
        </g>
        <g className="scale-bar" transform={`translate(${MARGIN} ${height - MARGIN})`} aria-hidden="true">
          <path d={`M0 -6 V0 H${bar.pixels} V-6`} />
          <text x={bar.pixels + BAR_LABEL_GAP} y={0} fontSize={FURNITURE_FONT_SIZE}>
            {bar.label}
          </text>
        </g>
        <g className="north-arrow" transform={`translate(${ARROW.x} ${ARROW.y})`} aria-hidden="true">
          <path d={`M0 0 L${halfWidth} ${arrowHeight} L0 ${arrowHeight - 5} L${-halfWidth} ${arrowHeight} Z`} />
          <text x={-ARROW.labelOffset} y={16} fontSize={FURNITURE_FONT_SIZE} textAnchor="end">
            N
          </text>
        </g>
      </svg>
      <figcaption className="muted">
        {plural(points.length, 'meeting')} at {plural(places, 'place')} around {centre}. Hover or focus a point for
        details; ×N counts the meetings in the dashed ring it touches or points to.
      </figcaption>
    </figure>
  );
}

/** A cluster's count, in a pill that keeps it readable over the map. */
function CountBadge({ box, count }: { box: Box; count: number }) {
  return (
    <g className="map-count">
      <rect x={box.x} y={box.y} width={box.width} height={box.height} rx={box.height / 2} />
      <text
        x={box.x + box.width / 2}
        y={box.y + box.height / 2}
        fontSize={COUNT_FONT_SIZE}
        textAnchor="middle"
        dominantBaseline="central"
      >
        {countText(count)}
      </text>
    </g>
  );
}

/**
 * A circle as a path of two arcs: the map's <circle>s are its meetings, one
 * each, which the tests (and anyone reading the drawing) count on.
 */
function ringPath({ x, y }: Point, r: number): string {
  return `M${x - r} ${y} a${r} ${r} 0 1 0 ${2 * r} 0 a${r} ${r} 0 1 0 ${-2 * r} 0 Z`;
}

/** Everything drawn that depends on the contacts alone; null when they have no meetings. */
function plot(contacts: Contact[]) {
  const meetings = contacts.flatMap((contact) => contact.meetings.map((meeting) => ({ contact, meeting })));
  if (meetings.length === 0) return null;
  const { origin, positions, metersPerPixel } = layout(
    meetings.map((m) => m.meeting),
    VIEWPORT,
  );
  const bar = scaleBar(VIEWPORT.width, metersPerPixel);
  const clusters = clusterPoints(positions, {
    dot: RADIUS,
    bounds: { x: 0, y: 0, width: VIEWPORT.width, height: VIEWPORT.height },
    furniture: [scaleBarBox(bar), NORTH_ARROW_BOX],
  });
  // Spots to the pixel, for the summary.
  const places = new Set(positions.map(({ x, y }) => `${Math.round(x)},${Math.round(y)}`)).size;
  return { points: meetings.map((m, index) => ({ ...m, at: positions[index] })), origin, bar, clusters, places };
}

/** The scale bar and its length, as drawn above (the length's baseline on the bar). */
function scaleBarBox(bar: ScaleBar): Box {
  return {
    x: MARGIN,
    y: VIEWPORT.height - MARGIN - FURNITURE_FONT_SIZE,
    width: bar.pixels + BAR_LABEL_GAP + textWidth(bar.label, FURNITURE_FONT_SIZE),
    // The bar's stroke reaches a pixel below the baseline.
    height: FURNITURE_FONT_SIZE + 1,
  };
}

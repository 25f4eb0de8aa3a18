import type { Contact } from '../api';
import { formatCoordinate, formatTimeRange, fullName, plural } from '../format';
import { layout, scaleBar, type Viewport } from '../geo';

/** SVG user units; the drawing scales to its container. */
// The padding keeps points clear of the scale bar and the north arrow in the corners.
const VIEWPORT: Viewport = { width: 400, height: 300, padding: 48, minExtent: 50 };
const MARGIN = 16;
const RADIUS = 7;

interface MeetingMapProps {
  contacts: Contact[];
  /** Persons whose meetings stand out. */
  highlighted: ReadonlySet<number>;
  onHighlight: (personId: number | null) => void;
}

/** Where the shown contacts were met, to scale, north up. */
export function MeetingMap({ contacts, highlighted, onHighlight }: MeetingMapProps) {
  const points = contacts.flatMap((contact) => contact.meetings.map((meeting) => ({ contact, meeting })));
  if (points.length === 0) return null;

  const { origin, positions, metersPerPixel } = layout(
    points.map((p) => p.meeting),
    VIEWPORT,
  );
  const bar = scaleBar(VIEWPORT.width, metersPerPixel);
  const placed = points.map((point, index) => ({ ...point, at: positions[index] }));

  // Meetings at one spot draw on top of each other: count them next to the spot.
  const stacks = new Map<string, { x: number; y: number; count: number }>();
  for (const { at } of placed) {
    const spot = `${Math.round(at.x)},${Math.round(at.y)}`;
    const stack = stacks.get(spot) ?? { ...at, count: 0 };
    stacks.set(spot, { ...stack, count: stack.count + 1 });
  }
  const places = stacks.size;
  const centre = `${formatCoordinate(origin.latitude)}, ${formatCoordinate(origin.longitude)}`;
  const summary =
    `Map of ${plural(points.length, 'meeting')} with ${plural(contacts.length, 'person', 'people')} ` +
    `at ${plural(places, 'place')} around ${centre}; scale bar ${bar.label}, north up.`;
  // Highlighted points last, so that they are drawn above the others.
  const ordered = [...placed].sort(
    (a, b) => Number(highlighted.has(a.contact.person.id)) - Number(highlighted.has(b.contact.person.id)),
  );
  const { width, height } = VIEWPORT;

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
          {[...stacks.entries()]
            .filter(([, stack]) => stack.count > 1)
            .map(([spot, stack]) => (
              <text key={spot} x={stack.x + RADIUS + 4} y={stack.y - RADIUS}>
                ×{stack.count}
              </text>
            ))}
        </g>
        <g className="scale-bar" transform={`translate(${MARGIN} ${height - MARGIN})`} aria-hidden="true">
          <path d={`M0 -6 V0 H${bar.pixels} V-6`} />
          <text x={bar.pixels + 6} y={0}>
            {bar.label}
          </text>
        </g>
        <g className="north-arrow" transform={`translate(${width - MARGIN - 8} ${MARGIN})`} aria-hidden="true">
          <path d="M0 0 L8 24 L0 19 L-8 24 Z" />
          <text x={-14} y={16} textAnchor="end">
            N
          </text>
        </g>
      </svg>
      <figcaption className="muted">
        {plural(points.length, 'meeting')} at {plural(places, 'place')} around {centre}. Hover or focus a point for
        details.
      </figcaption>
    </figure>
  );
}

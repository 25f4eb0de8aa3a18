import { useMemo } from 'react';
import type { Attendance, Event } from '../api';
import { displayLocales, formatClock, formatClockRange, formatDuration, parseApiTime, plural } from '../format';
import { fitText, labelWidth } from '../labels';
import { hourTicks, labelSpot, stackRows, timeX, type TimeAxis } from '../timeline';

/** SVG user units; the drawing scales to its container. */
const WIDTH = 880;
/** Left of the plot: the lanes' names. */
const GUTTER = 112;
const RIGHT = 16;
const AXIS_HEIGHT = 24;
const ROW_HEIGHT = 26;
const BAR_HEIGHT = 20;
/** The strip along a bar's foot that shows the time present. */
const STRIP_HEIGHT = 4;
const LANE_PADDING = 6;
const LANE_GAP = 8;
const FONT_SIZE = 12;
/** Between a bar and its name, and between items sharing a row. */
const LABEL_GAP = 5;
const ITEM_GAP = 10;
/** The least room per tick on the axis. */
const TICK_SPACING = 80;
const BAR_MIN_WIDTH = 3;

type Kind = 'presentation' | 'booth';

interface Item {
  kind: Kind;
  id: number;
  /** The room or booth. */
  areaId: number;
  label: string;
  description: string;
  /** A presentation's scheduled slot (ms), drawn behind the time present. */
  slot: { from: number; to: number } | null;
  /** When the person was there (ms). */
  present: { from: number; to: number };
}

interface TimelineProps {
  event: Event;
  attendance: Attendance;
  /** Points at the room or booth of the item hovered or focused, null when none is. */
  onHighlight: (areaId: number | null) => void;
}

/** The person's day at the event in its local time: presentations attended and booths visited. */
export function Timeline({ event, attendance, onHighlight }: TimelineProps) {
  const chart = useMemo(() => plot(event, attendance), [event, attendance]);
  const timeZone = event.time_zone;
  const { axis, ticks, lanes, height } = chart;
  const summary =
    `Timeline of ${plural(attendance.presentations.length, 'presentation')} attended and ` +
    `${plural(attendance.booths.length, 'booth')} visited, in ${timeZone} time`;

  return (
    <figure className="timeline">
      <div className="timeline-scroll">
        <svg
          data-testid="timeline"
          role="group"
          aria-label={summary}
          viewBox={`0 0 ${WIDTH} ${height}`}
          preserveAspectRatio="xMidYMid meet"
        >
          <g className="timeline-axis" aria-hidden="true">
            {ticks.map(({ time, midnight }) => {
              const x = timeX(axis, time);
              return (
                <g key={time}>
                  <line x1={x} x2={x} y1={AXIS_HEIGHT - 4} y2={height} />
                  <text x={x} y={AXIS_HEIGHT - 9} fontSize={FONT_SIZE - 1} textAnchor="middle">
                    {midnight
                      ? new Intl.DateTimeFormat(displayLocales(), { month: 'short', day: 'numeric', timeZone }).format(time)
                      : formatClock(new Date(time), { timeZone })}
                  </text>
                </g>
              );
            })}
          </g>
          {lanes.map((lane) => (
            <g key={lane.kind} className={`timeline-lane timeline-lane-${lane.kind}`}>
              <rect className="timeline-band" x={0} y={lane.top} width={WIDTH} height={lane.height} rx={4} />
              <text className="timeline-lane-name" x={8} y={lane.firstRow} fontSize={FONT_SIZE} dominantBaseline="central">
                {lane.kind === 'presentation' ? 'Presentations' : 'Booths'}
              </text>
              {lane.items.length === 0 && (
                <text className="timeline-none" x={GUTTER} y={lane.firstRow} fontSize={FONT_SIZE} dominantBaseline="central">
                  {lane.kind === 'presentation' ? 'No presentation attended' : 'No booth visited'}
                </text>
              )}
              {lane.items.map(({ item, box, strip, spot, text, y }) => (
                <g
                  key={item.id}
                  data-testid={`timeline-${item.kind}-${item.id}`}
                  className={`timeline-item timeline-${item.kind}`}
                  tabIndex={0}
                  role="img"
                  aria-label={item.description}
                  onMouseEnter={() => onHighlight(item.areaId)}
                  onMouseLeave={() => onHighlight(null)}
                  onFocus={() => onHighlight(item.areaId)}
                  onBlur={() => onHighlight(null)}
                >
                  <title>{item.description}</title>
                  <rect
                    className="timeline-box"
                    x={box.from}
                    y={y}
                    width={box.to - box.from}
                    height={BAR_HEIGHT}
                    rx={3}
                  />
                  <rect
                    className="timeline-present"
                    x={strip.from}
                    y={y + BAR_HEIGHT - STRIP_HEIGHT}
                    width={strip.to - strip.from}
                    height={STRIP_HEIGHT}
                  />
                  <text
                    className="timeline-label"
                    x={spot.x}
                    y={y + (BAR_HEIGHT - STRIP_HEIGHT) / 2}
                    fontSize={FONT_SIZE}
                    textAnchor={spot.side === 'left' ? 'end' : 'start'}
                    dominantBaseline="central"
                  >
                    {text}
                  </text>
                </g>
              ))}
            </g>
          ))}
        </svg>
      </div>
      <figcaption className="muted">
        Times in {timeZone} time. A presentation's box is its slot in the programme, the dark strip along its foot the
        time present; hover or focus an item to find its room or booth on the floor plan.
      </figcaption>
      <details className="timeline-table">
        <summary>The timeline as a table</summary>
        <table className="data-table">
          <caption className="visually-hidden">Presentations attended and booths visited</caption>
          <thead>
            <tr>
              <th scope="col">When ({timeZone})</th>
              <th scope="col">What</th>
              <th scope="col">Where</th>
              <th scope="col">Time present</th>
            </tr>
          </thead>
          <tbody>
            {attendance.presentations.map(({ presentation, arrived, left, minutes_present }) => (
              <tr key={`p${presentation.id}`}>
                <td>{formatClockRange(arrived, left, { timeZone })}</td>
                <td>{presentation.title}</td>
                <td>{presentation.room}</td>
                <td className="numeric">{formatDuration(minutes_present * 60)}</td>
              </tr>
            ))}
            {attendance.booths.map(({ booth, first_arrived, last_left, minutes_present, visits }) => (
              <tr key={`b${booth.id}`}>
                <td>{formatClockRange(first_arrived, last_left, { timeZone })}</td>
                <td>
                  Booth visit{booth.exhibitor ? `: ${booth.exhibitor}` : ''} ({plural(visits, 'visit')})
                </td>
                <td>{booth.name}</td>
                <td className="numeric">{formatDuration(minutes_present * 60)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

const ms = (text: string) => parseApiTime(text).getTime();

function items(attendance: Attendance, timeZone: string): Record<Kind, Item[]> {
  return {
    presentation: attendance.presentations.map(({ presentation, arrived, left, minutes_present }) => ({
      kind: 'presentation',
      id: presentation.id,
      areaId: presentation.room_id,
      label: `${presentation.title} · ${presentation.room}`,
      description:
        `${presentation.title}, ${presentation.room}, ` +
        `${formatClockRange(presentation.start, presentation.end, { timeZone })}: ` +
        `present ${formatDuration(minutes_present * 60)}, ${formatClockRange(arrived, left, { timeZone })}`,
      slot: { from: ms(presentation.start), to: ms(presentation.end) },
      present: { from: ms(arrived), to: ms(left) },
    })),
    booth: attendance.booths.map(({ booth, first_arrived, last_left, minutes_present, visits }) => ({
      kind: 'booth',
      id: booth.id,
      areaId: booth.id,
      label: booth.exhibitor ? `${booth.name} · ${booth.exhibitor}` : booth.name,
      description:
        `${booth.name}${booth.exhibitor ? ` (${booth.exhibitor})` : ''}: ${plural(visits, 'visit')}, ` +
        `${formatDuration(minutes_present * 60)} in all, ${formatClockRange(first_arrived, last_left, { timeZone })}`,
      slot: null,
      present: { from: ms(first_arrived), to: ms(last_left) },
    })),
  };
}

/** Everything drawn: the axis over the event's hours, and each lane's items stacked into rows. */
function plot(event: Event, attendance: Attendance) {
  const axis: TimeAxis = { start: ms(event.start), end: ms(event.end), left: GUTTER, right: WIDTH - RIGHT };
  const ticks = hourTicks(axis.start, axis.end, event.time_zone, Math.floor((axis.right - axis.left) / TICK_SPACING));
  const plotExtent = { from: axis.left, to: axis.right };
  const span = ({ from, to }: { from: number; to: number }) => {
    const start = timeX(axis, from);
    return { from: start, to: Math.max(timeX(axis, to), start + BAR_MIN_WIDTH) };
  };
  const all = items(attendance, event.time_zone);
  let top = AXIS_HEIGHT;
  const lanes = (['presentation', 'booth'] as const).map((kind) => {
    const placed = all[kind].map((item) => {
      const strip = span(item.present);
      const slot = item.slot ? span(item.slot) : strip;
      const box = { from: Math.min(slot.from, strip.from), to: Math.max(slot.to, strip.to) };
      const spot = labelSpot(box, labelWidth(item.label, FONT_SIZE), plotExtent, LABEL_GAP);
      return { item, box, strip, spot, text: fitText(item.label, FONT_SIZE, spot.room) };
    });
    const rows = stackRows(
      placed.map((p) => p.spot.extent),
      ITEM_GAP,
    );
    const rowCount = Math.max(1, ...rows.map((row) => row + 1));
    const rowTop = (row: number) => top + LANE_PADDING + row * ROW_HEIGHT;
    const lane = {
      kind,
      top,
      height: rowCount * ROW_HEIGHT + 2 * LANE_PADDING,
      /** The middle of the first row, where the lane's name goes. */
      firstRow: rowTop(0) + ROW_HEIGHT / 2,
      items: placed.map((p, i) => ({ ...p, y: rowTop(rows[i]) + (ROW_HEIGHT - BAR_HEIGHT) / 2 })),
    };
    top += lane.height + LANE_GAP;
    return lane;
  });
  return { axis, ticks, lanes, height: top - LANE_GAP + 4 };
}

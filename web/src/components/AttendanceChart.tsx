import { useId } from 'react';
import type { PresentationCount } from '../api';
import { countTicks } from '../charts';
import { formatClock, plural } from '../format';
import { fitText } from '../labels';

/** SVG user units; the drawing scales to its container. */
const WIDTH = 880;
const LABEL_WIDTH = 330;
const BAR_LEFT = 350;
/** Room right of the longest bar for its count. */
const RIGHT = 48;
const AXIS_HEIGHT = 28;
const ROW_HEIGHT = 42;
const BAR_HEIGHT = 18;
const TITLE_SIZE = 13;
const DETAIL_SIZE = 11;

interface AttendanceChartProps {
  presentations: PresentationCount[];
  timeZone: string;
}

/** Attendees of each presentation as horizontal bars, by start, with the same figures as a table. */
export function AttendanceChart({ presentations, timeZone }: AttendanceChartProps) {
  const id = useId();
  if (presentations.length === 0) return <p className="empty">No programme has been uploaded for this event yet.</p>;
  const max = Math.max(...presentations.map((p) => p.attendees));
  const ticks = countTicks(max, 5);
  const top = ticks[ticks.length - 1];
  const x = (count: number) => BAR_LEFT + (count / top) * (WIDTH - RIGHT - BAR_LEFT);
  const height = AXIS_HEIGHT + presentations.length * ROW_HEIGHT + 4;
  const busiest = presentations.reduce((best, p) => (p.attendees > best.attendees ? p : best));
  const total = presentations.reduce((sum, p) => sum + p.attendees, 0);
  const detail = ({ presentation }: PresentationCount) =>
    `${formatClock(presentation.start, { timeZone })} · ${presentation.room}`;

  return (
    <figure className="chart">
      <svg
        data-testid="attendance-chart"
        role="img"
        aria-label="Bar chart of attendees per presentation"
        aria-describedby={`${id}-summary`}
        viewBox={`0 0 ${WIDTH} ${height}`}
        preserveAspectRatio="xMidYMid meet"
      >
        <g className="chart-axis">
          {ticks.map((tick) => (
            <g key={tick}>
              <line x1={x(tick)} x2={x(tick)} y1={AXIS_HEIGHT - 4} y2={height} />
              <text x={x(tick)} y={AXIS_HEIGHT - 10} fontSize={DETAIL_SIZE} textAnchor="middle">
                {tick}
              </text>
            </g>
          ))}
        </g>
        {presentations.map((row, i) => {
          const y = AXIS_HEIGHT + i * ROW_HEIGHT;
          const { presentation, attendees } = row;
          return (
            <g key={presentation.id} className="chart-row" data-testid={`presentation-bar-${presentation.id}`}>
              {i % 2 === 0 && <rect className="chart-band" x={0} y={y} width={WIDTH} height={ROW_HEIGHT} />}
              <title>{`${presentation.title} (${detail(row)}): ${plural(attendees, 'attendee')}`}</title>
              <text className="chart-title" x={8} y={y + 17} fontSize={TITLE_SIZE}>
                {fitText(presentation.title, TITLE_SIZE, LABEL_WIDTH - 8)}
              </text>
              <text className="chart-detail" x={8} y={y + 33} fontSize={DETAIL_SIZE}>
                {fitText(detail(row), DETAIL_SIZE, LABEL_WIDTH - 8)}
              </text>
              <rect
                className="chart-bar"
                x={BAR_LEFT}
                y={y + (ROW_HEIGHT - BAR_HEIGHT) / 2}
                width={x(attendees) - BAR_LEFT}
                height={BAR_HEIGHT}
              />
              <text
                className="chart-value"
                x={x(attendees) + 6}
                y={y + ROW_HEIGHT / 2}
                fontSize={TITLE_SIZE}
                dominantBaseline="central"
              >
                {attendees}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption id={`${id}-summary`} className="muted">
        {plural(presentations.length, 'presentation')}, {plural(total, 'attendance')} in all; the most attended,{' '}
        {busiest.presentation.title}, had {plural(busiest.attendees, 'attendee')}. Times in {timeZone} time.
      </figcaption>
      <details>
        <summary>The chart as a table</summary>
        <div className="table-scroll">
          <table className="data-table">
            <caption className="visually-hidden">Attendees per presentation</caption>
            <thead>
              <tr>
                <th scope="col">Start</th>
                <th scope="col">Presentation</th>
                <th scope="col">Room</th>
                <th scope="col">Attendees</th>
              </tr>
            </thead>
            <tbody>
              {presentations.map(({ presentation, attendees }) => (
                <tr key={presentation.id}>
                  <td>{formatClock(presentation.start, { timeZone })}</td>
                  <td>{presentation.title}</td>
                  <td>{presentation.room}</td>
                  <td className="numeric">{attendees}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

import { useId, useMemo } from 'react';
import type { BoothHour, Event } from '../api';
import { shadeLevel, trafficGrid } from '../charts';
import { formatClock, formatClockRange, plural } from '../format';
import { fitText, labelWidth } from '../labels';

/** SVG user units; the drawing scales to its container. */
const WIDTH = 880;
const LABEL_WIDTH = 240;
const RIGHT = 8;
const HEADER_HEIGHT = 28;
const ROW_HEIGHT = 28;
const MAX_CELL_WIDTH = 80;
const FONT_SIZE = 12;
/** Shades of the cells, from the palest. */
const LEVELS = 5;
/** The least room for an hour's label, and for a count inside a cell. */
const HOUR_LABEL_WIDTH = 56;
const COUNT_WIDTH = 22;
const HOUR_MS = 3_600_000;

interface TrafficChartProps {
  traffic: BoothHour[];
  event: Event;
}

/** Visitors of each booth in each hour of the event, as a grid of shaded cells, with the same figures as a table. */
export function TrafficChart({ traffic, event }: TrafficChartProps) {
  const id = useId();
  const grid = useMemo(() => trafficGrid(traffic, event), [traffic, event]);
  const timeZone = event.time_zone;
  if (grid.booths.length === 0) return <p className="empty">No booth has had a visitor yet.</p>;

  const { booths, hours, visitors, max } = grid;
  const cell = Math.min(MAX_CELL_WIDTH, (WIDTH - LABEL_WIDTH - RIGHT) / hours.length);
  const labelEvery = Math.ceil(HOUR_LABEL_WIDTH / cell);
  const height = HEADER_HEIGHT + booths.length * ROW_HEIGHT + 2;
  const busiest = traffic.reduce((best, t) => (t.visitors > best.visitors ? t : best));
  const hourRange = (hour: string | number) =>
    formatClockRange(new Date(hour), new Date(new Date(hour).getTime() + HOUR_MS), { timeZone });

  return (
    <figure className="chart">
      <svg
        data-testid="traffic-chart"
        role="img"
        aria-label="Grid of booth visitors per hour"
        aria-describedby={`${id}-summary`}
        viewBox={`0 0 ${WIDTH} ${height}`}
        preserveAspectRatio="xMidYMid meet"
      >
        <g className="chart-axis">
          {hours.map(
            (hour, column) =>
              column % labelEvery === 0 && (
                <text key={hour} x={LABEL_WIDTH + column * cell} y={HEADER_HEIGHT - 10} fontSize={FONT_SIZE - 1}>
                  {formatClock(new Date(hour), { timeZone })}
                </text>
              ),
          )}
        </g>
        {booths.map((booth, row) => {
          const y = HEADER_HEIGHT + row * ROW_HEIGHT;
          const nameWidth = labelWidth(booth.name, FONT_SIZE, true);
          return (
            <g key={booth.id} className="heat-row" data-testid={`traffic-${booth.id}`}>
              <text
                className="chart-title"
                x={8}
                y={y + ROW_HEIGHT / 2}
                fontSize={FONT_SIZE}
                dominantBaseline="central"
              >
                {booth.name}
              </text>
              {booth.exhibitor && (
                <text
                  className="chart-detail"
                  x={8 + nameWidth + 6}
                  y={y + ROW_HEIGHT / 2}
                  fontSize={FONT_SIZE - 1}
                  dominantBaseline="central"
                >
                  {fitText(booth.exhibitor, FONT_SIZE - 1, LABEL_WIDTH - nameWidth - 24)}
                </text>
              )}
              {hours.map((hour, column) => {
                const count = visitors[row][column];
                const level = shadeLevel(count, max, LEVELS);
                const x = LABEL_WIDTH + column * cell;
                return (
                  <g key={hour}>
                    <rect
                      className={`heat heat-${level}`}
                      x={x + 1}
                      y={y + 1}
                      width={cell - 2}
                      height={ROW_HEIGHT - 2}
                      rx={3}
                    >
                      <title>{`${booth.name}, ${hourRange(hour)}: ${plural(count, 'visitor')}`}</title>
                    </rect>
                    {count > 0 && cell >= COUNT_WIDTH && (
                      <text
                        className={level >= LEVELS - 1 ? 'heat-count is-dark' : 'heat-count'}
                        x={x + cell / 2}
                        y={y + ROW_HEIGHT / 2}
                        fontSize={FONT_SIZE}
                        textAnchor="middle"
                        dominantBaseline="central"
                      >
                        {count}
                      </text>
                    )}
                  </g>
                );
              })}
            </g>
          );
        })}
      </svg>
      <figcaption id={`${id}-summary`} className="muted">
        {plural(booths.length, 'booth')} had visitors; the busiest was {busiest.booth.name} from{' '}
        {hourRange(busiest.hour)}, with {plural(busiest.visitors, 'visitor')}. Hours in {timeZone} time; the darker a
        cell, the more visitors.
      </figcaption>
      <details>
        <summary>The chart as a table</summary>
        <div className="table-scroll">
          <table className="data-table">
            <caption className="visually-hidden">Booth visitors per hour</caption>
            <thead>
              <tr>
                <th scope="col">Booth</th>
                <th scope="col">Exhibitor</th>
                <th scope="col">Hour</th>
                <th scope="col">Visitors</th>
              </tr>
            </thead>
            <tbody>
              {traffic.map(({ booth, hour, visitors: count }) => (
                <tr key={`${booth.id}/${hour}`}>
                  <td>{booth.name}</td>
                  <td>{booth.exhibitor}</td>
                  <td>{hourRange(hour)}</td>
                  <td className="numeric">{count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

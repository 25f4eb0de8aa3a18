import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Contact, Meeting } from '../api';
import { EARTH_RADIUS_M } from '../geo';
import { MeetingMap } from './MeetingMap';

function meeting(latitude: number, longitude: number, start = '2020-07-07T10:37:06Z'): Meeting {
  return { start, end: start, duration_seconds: 0, latitude, longitude, closest_meters: 0, encounters: 3 };
}

function contact(id: number, meetings: Meeting[]): Contact {
  return {
    person: { id, first_name: `First${id}`, last_name: `Last${id}`, company_name: 'Co' },
    meeting_count: meetings.length,
    total_seconds: 0,
    first_met: meetings[0].start,
    last_met: meetings[meetings.length - 1].start,
    meetings,
  };
}

const VENUE = { latitude: 37.55363, longitude: -122.290883 };
const degrees = (radians: number) => (radians * 180) / Math.PI;

/** A meeting `east` and `north` metres from the venue, starting `minute` minutes into a day. */
function meetingAt(east: number, north: number, minute = 0): Meeting {
  const start = new Date(Date.UTC(2020, 6, 7, 10, minute)).toISOString();
  const latitude = VENUE.latitude + degrees(north / EARTH_RADIUS_M);
  const longitude = VENUE.longitude + degrees(east / (EARTH_RADIUS_M * Math.cos((VENUE.latitude * Math.PI) / 180)));
  return meeting(latitude, longitude, start);
}

interface Badge {
  x: number;
  y: number;
  width: number;
  height: number;
  count: number;
}

/** The count badges drawn: their boxes and the counts they show. */
function badges(map: HTMLElement): Badge[] {
  return [...map.querySelectorAll('.map-count')].map((badge) => {
    const rect = badge.querySelector('rect')!;
    const [x, y, width, height] = ['x', 'y', 'width', 'height'].map((name) => Number(rect.getAttribute(name)));
    const text = badge.querySelector('text')?.textContent ?? '';
    expect(text).toMatch(/^×\d+$/);
    return { x, y, width, height, count: Number(text.slice(1)) };
  });
}

/** A ring's centre and radius, from its path (two arcs from its leftmost point). */
function ring(path: Element): { x: number; y: number; r: number } {
  const [, left, y, r] = /^M(\S+) (\S+) a(\S+) /.exec(path.getAttribute('d') ?? '')!.map(Number);
  return { x: left + r, y, r };
}

/** The pairs of badges that overlap, by index. */
function overlapping(boxes: Badge[]): [number, number][] {
  const overlap = (a: Badge, b: Badge) =>
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  return boxes.flatMap((a, i) =>
    boxes.slice(i + 1).flatMap((b, j): [number, number][] => (overlap(a, b) ? [[i, i + 1 + j]] : [])),
  );
}

const ROUND_LABEL = /^[125]0*( m| km)$/;

/** The drawing's width and height, from its viewBox. */
function size(map: HTMLElement): [number, number] {
  const [, , width, height] = (map.getAttribute('viewBox') ?? '').split(' ').map(Number);
  return [width, height];
}

describe('MeetingMap', () => {
  it('draws every meeting at one spot at the centre, with a round scale bar', () => {
    const spot = meeting(37.55363, -122.290883);
    const contacts = [5, 6, 8, 9].map((id) => contact(id, [spot]));
    render(<MeetingMap contacts={contacts} highlighted={new Set()} onHighlight={vi.fn()} />);

    const map = screen.getByRole('img');
    expect(map.dataset.testid).toBe('meeting-map');
    const circles = map.querySelectorAll('circle');
    expect(circles).toHaveLength(4);
    const [width, height] = size(map);
    for (const circle of circles) {
      expect(Number(circle.getAttribute('cx'))).toBe(width / 2);
      expect(Number(circle.getAttribute('cy'))).toBe(height / 2);
      expect(circle.getAttribute('tabindex')).toBe('0');
    }
    const label = map.querySelector('.scale-bar text')?.textContent ?? '';
    expect(label).toMatch(ROUND_LABEL);
    expect(map.getAttribute('aria-label')).toBe(
      `Map of 4 meetings with 4 people at 1 place around 37.55363, -122.29088; scale bar ${label}, north up.`,
    );
    expect(map.querySelector('.north-arrow text')?.textContent).toBe('N');
    expect(map.querySelector('.map-stacks text')?.textContent).toBe('×4');
  });

  it('fits meetings far apart and titles each point', () => {
    const contacts = [
      contact(5, [meeting(37.55, -122.29), meeting(37.56, -122.29, '2020-07-08T09:00:00Z')]),
      contact(6, [meeting(37.55, -122.28)]),
    ];
    render(<MeetingMap contacts={contacts} highlighted={new Set([6])} onHighlight={vi.fn()} />);

    const map = screen.getByRole('img');
    const circles = [...map.querySelectorAll('circle')];
    expect(circles).toHaveLength(3);
    const [width, height] = size(map);
    for (const circle of circles) {
      const [x, y] = [Number(circle.getAttribute('cx')), Number(circle.getAttribute('cy'))];
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(width);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(height);
    }
    // About 1.1 km north to south: a scale bar in hundreds of metres.
    expect(map.querySelector('.scale-bar text')?.textContent).toMatch(/^[125]00 m$/);
    // The highlighted contact's point is drawn last, on top.
    expect(circles.at(-1)?.getAttribute('class')).toBe('map-point is-highlighted');
    expect(circles.at(-1)?.querySelector('title')?.textContent).toMatch(/^First6 Last6: .* at 37\.55000, -122\.28000$/);
  });

  it('reports the contact under the pointer or focus', () => {
    const onHighlight = vi.fn();
    render(<MeetingMap contacts={[contact(5, [meeting(1, 1)])]} highlighted={new Set()} onHighlight={onHighlight} />);

    const point = screen.getByRole('img').querySelector('circle')!;
    fireEvent.focus(point);
    expect(onHighlight).toHaveBeenLastCalledWith(5);
    fireEvent.blur(point);
    expect(onHighlight).toHaveBeenLastCalledWith(null);
  });

  it('keeps the counts of crowded stacks apart and every meeting counted', () => {
    // 24 people each met twice at one spot, the spots 2.2 m (9 px) apart: the dots stand out,
    // counts beside each would not.
    const contacts = Array.from({ length: 24 }, (_, i) => {
      const [east, north] = [(i % 6) * 2.2, Math.floor(i / 6) * 2.2];
      return contact(i + 1, [meetingAt(east, north, 0), meetingAt(east, north, 30)]);
    });
    render(<MeetingMap contacts={contacts} highlighted={new Set()} onHighlight={vi.fn()} />);

    const map = screen.getByRole('img');
    const shown = badges(map);
    expect(shown.length).toBeGreaterThan(0);
    expect(overlapping(shown)).toEqual([]);
    // Every meeting is in a stack of two, so every one is counted by a badge, and still a point of its own.
    expect(shown.reduce((sum, badge) => sum + badge.count, 0)).toBe(48);
    const points = map.querySelectorAll('circle.map-point');
    expect(points).toHaveLength(48);
    for (const point of points) {
      expect(point.getAttribute('tabindex')).toBe('0');
      expect(point.getAttribute('aria-label')).toMatch(/^First\d+ Last\d+: /);
    }
    expect(map.getAttribute('aria-label')).toMatch(/^Map of 48 meetings with 24 people at 24 places around /);
  });

  it('counts many meetings within a few pixels once', () => {
    // 40 meetings within half a metre (2 px) of each other.
    const contacts = Array.from({ length: 40 }, (_, i) =>
      contact(i + 1, [meetingAt(((i * 7) % 5) / 10, ((i * 3) % 5) / 10)]),
    );
    render(<MeetingMap contacts={contacts} highlighted={new Set()} onHighlight={vi.fn()} />);

    const map = screen.getByRole('img');
    expect(badges(map).map((badge) => badge.count)).toEqual([40]);
    expect(map.querySelectorAll('.map-rings path')).toHaveLength(1);
    expect(map.querySelectorAll('circle.map-point')).toHaveLength(40);
  });

  it('rings what it counts and leaves a lone meeting be', () => {
    const contacts = [contact(5, [meetingAt(0, 0, 0), meetingAt(0, 0, 30)]), contact(6, [meetingAt(40, 0)])];
    render(<MeetingMap contacts={contacts} highlighted={new Set()} onHighlight={vi.fn()} />);

    const map = screen.getByRole('img');
    expect(badges(map).map((badge) => badge.count)).toEqual([2]);
    const rings = [...map.querySelectorAll('.map-rings path')].map(ring);
    expect(rings).toHaveLength(1);
    const stack = map.querySelector('circle.map-point')!;
    expect(rings[0].x).toBeCloseTo(Number(stack.getAttribute('cx')));
    expect(rings[0].y).toBeCloseTo(Number(stack.getAttribute('cy')));
    expect(rings[0].r).toBeGreaterThan(Number(stack.getAttribute('r')));
  });
});

import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Contact, Meeting } from '../api';
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
});

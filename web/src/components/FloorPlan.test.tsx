import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { PLAN } from '../test/event';
import { FloorPlan, type PlanHighlights } from './FloorPlan';

const NONE: PlanHighlights = { attendee: null, shared: null, focused: null };

function areaClasses(id: number): string[] {
  return [...screen.getByTestId(`area-${id}`).classList];
}

describe('FloorPlan', () => {
  it('names every area, telling rooms from booths', () => {
    render(<FloorPlan areas={PLAN.features} eventName="Summit" highlights={NONE} />);

    const svg = screen.getByTestId('floor-plan');
    expect([...svg.querySelectorAll('.plan-label')].map((t) => t.textContent).sort()).toEqual([
      'Booth A1',
      'Booth A2',
      'Hall A',
      'Hall B',
    ]);
    expect(svg.getAttribute('aria-label')).toMatch(
      /^Floor plan of Summit: 2 rooms and 2 booths around .*; scale bar \d+ m, north up\.$/,
    );
    expect(screen.getByRole('img', { name: 'Hall A, room' })).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Booth A2, booth of A2 Analytics' })).toBeTruthy();
    expect(areaClasses(1)).toContain('plan-room');
    expect(areaClasses(12)).toContain('plan-booth');
    expect(screen.getByRole('list', { name: 'Legend' }).textContent).toBe(' Room Booth');
  });

  it("singles out the attendee's areas, and those shared with someone chosen", () => {
    const highlights: PlanHighlights = {
      attendee: { name: 'Taco Fargo', areas: new Set([1, 12]) },
      shared: { name: 'Frank Shader', areas: new Set([12]) },
      focused: 1,
    };
    render(<FloorPlan areas={PLAN.features} eventName="Summit" highlights={highlights} />);

    expect(areaClasses(1)).toEqual(expect.arrayContaining(['is-visited', 'is-dimmed', 'is-focused']));
    expect(areaClasses(12)).toEqual(expect.arrayContaining(['is-visited', 'is-shared']));
    expect(areaClasses(12)).not.toContain('is-dimmed');
    expect(areaClasses(11)).toContain('is-dimmed');
    expect(
      screen.getByRole('img', { name: 'Booth A2, booth of A2 Analytics (visited by Taco Fargo; shared with Frank Shader)' }),
    ).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Hall A, room (attended by Taco Fargo)' })).toBeTruthy();
    expect(screen.getByRole('list', { name: 'Legend' }).textContent).toContain('Shared with Frank Shader');
    // What stands out is drawn last, above the rest.
    const order = [...screen.getByTestId('floor-plan').querySelectorAll('.plan-area')].map((p) =>
      p.getAttribute('data-testid'),
    );
    expect(order.slice(-2)).toEqual(['area-12', 'area-1']);
  });

  it('says so when the event has no floor plan yet', () => {
    render(<FloorPlan areas={[]} eventName="Summit" highlights={NONE} />);
    expect(screen.getByText('No floor plan has been uploaded for this event yet.')).toBeTruthy();
  });
});

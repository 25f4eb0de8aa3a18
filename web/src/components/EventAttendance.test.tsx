import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api';
import { ATTENDANCE, EVENT, PLAN, SHARED, TACO } from '../test/event';
import { json, stubFetch } from '../test/http';
import { EventAttendance } from './EventAttendance';
import type { PlanRequest } from './PlanPanel';

const api = new ApiClient('http://api.test');
const plan: PlanRequest = { state: { status: 'ready', data: PLAN }, retry: () => {} };

function serve(attendance = ATTENDANCE) {
  return stubFetch((url) => (url.pathname.endsWith('/attendance') ? json(attendance) : json(SHARED)));
}

const highlighted = (state: string) =>
  [...screen.getByTestId('floor-plan').querySelectorAll(`.plan-area.${state}`)]
    .map((p) => p.getAttribute('data-testid'))
    .sort();

describe('EventAttendance', () => {
  it("shows the person's day on a timeline in the event's time, and where on the plan", async () => {
    const fetch = serve();
    render(<EventAttendance api={api} event={EVENT} plan={plan} person={TACO} />);

    const talk = await screen.findByTestId('timeline-presentation-101');
    expect(talk.getAttribute('aria-label')).toMatch(
      /^Chaos Engineering on a Shoestring, Hall A, 9:00\s*–\s*9:35\sAM: present 30 min, 9:00\s*–\s*9:30\sAM$/,
    );
    expect(screen.getByTestId('timeline-booth-12').getAttribute('aria-label')).toMatch(
      /^Booth A2 \(A2 Analytics\): 1 visit, 5 min in all, 9:45\s*–\s*9:50\sAM$/,
    );
    expect(screen.getByText('Taco Fargo attended 1 presentation and visited 1 booth.')).toBeTruthy();
    expect(highlighted('is-visited')).toEqual(['area-1', 'area-12']);
    const urls = fetch.mock.calls.map(([input]) => new URL(String(input))).map((url) => `${url.pathname}${url.search}`);
    expect(urls).toContain(`/api/persons/5/attendance?event=${EVENT.id}`);

    // Pointing at an item points at its room on the plan.
    fireEvent.mouseEnter(talk);
    expect(highlighted('is-focused')).toEqual(['area-1']);
    fireEvent.mouseLeave(talk);
    expect(highlighted('is-focused')).toEqual([]);
  });

  it('shows on the plan what the person shares with someone chosen', async () => {
    serve();
    render(<EventAttendance api={api} event={EVENT} plan={plan} person={TACO} />);

    await userEvent.click(await screen.findByRole('button', { name: 'Show on the plan what you share with Frank Shader' }));
    expect(highlighted('is-shared')).toEqual(['area-1', 'area-12']);
    expect(screen.getByText(/^Showing what Taco Fargo shares with Frank Shader\./)).toBeTruthy();

    // Someone else: only their shared hall.
    await userEvent.click(screen.getByRole('button', { name: 'Show on the plan what you share with Pam Trexler' }));
    expect(highlighted('is-shared')).toEqual(['area-1']);

    await userEvent.click(screen.getByRole('button', { name: 'Show all' }));
    expect(highlighted('is-shared')).toEqual([]);
    expect(highlighted('is-dimmed')).toEqual([]);
  });

  it('says so when the person attended nothing', async () => {
    serve({ ...ATTENDANCE, presentations: [], booths: [] });
    render(<EventAttendance api={api} event={EVENT} plan={plan} person={TACO} />);

    expect(await screen.findByText('Taco Fargo attended no presentation and visited no booth at this event.')).toBeTruthy();
    const timeline = screen.getByTestId('timeline');
    expect(within(timeline).getByText('No presentation attended')).toBeTruthy();
    expect(within(timeline).getByText('No booth visited')).toBeTruthy();
  });

  it('waits for the floor plan, and offers a retry when it fails', async () => {
    serve();
    const failed: PlanRequest = { state: { status: 'error', error: new TypeError('boom') }, retry: () => {} };
    const { rerender } = render(
      <EventAttendance api={api} event={EVENT} plan={{ state: { status: 'loading' }, retry: () => {} }} person={TACO} />,
    );
    expect(screen.getByText('Loading the floor plan…')).toBeTruthy();
    rerender(<EventAttendance api={api} event={EVENT} plan={failed} person={TACO} />);
    expect(screen.getByRole('alert').textContent).toContain('Something went wrong: boom');
  });
});

import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, type Event, type Session } from './api';
import { App } from './App';
import { ATTENDANCE, EVENT, PLAN, SHARED, STATISTICS, TACO } from './test/event';
import { json, stubFetch } from './test/http';

const api = new ApiClient('http://api.test', 'a-token');
const ORGANIZER: Session = { role: 'organizer' };
const TACO_SIGNED_IN: Session = { role: 'attendee', person_id: 5 };
const OLDER: Event = {
  ...EVENT,
  id: 3,
  name: 'Spring Summit 2020',
  start: '2020-04-01T15:00:00Z',
  end: '2020-04-01T23:00:00Z',
};

function serve(events: Event[]) {
  return stubFetch((url) => {
    switch (url.pathname) {
      case '/api/persons':
        return json([TACO]);
      case '/api/events':
        return json(events);
      case `/api/events/${EVENT.id}/areas`:
        return json(PLAN);
      case `/api/events/${EVENT.id}/statistics`:
        return json(STATISTICS);
      case '/api/persons/5':
        return json(TACO);
      case '/api/persons/5/attendance':
        return json(ATTENDANCE);
      case '/api/persons/5/shared':
        return json(SHARED);
      case '/api/persons/5/export':
        return json({ person: TACO, devices: [], visits: [], locations: [] });
      case '/api/persons/5/enrollment-codes':
        return json({ code: '7KQ2-M9XD-4TZP', person_id: 5, expires: '2020-08-18T15:15:00Z' }, 201);
      case '/api/persons/5/contacts':
        return json({ contacts: [], next_cursor: null, distance: 10, window_seconds: 600, min_duration_seconds: 0 });
      default:
        return json({ status: 404, title: 'Not Found', detail: `no ${url.pathname}` }, 404);
    }
  });
}

// The address follows the view in an effect, after the render a test waits
// for: it is read with waitFor.
const query = () => Object.fromEntries(new URLSearchParams(window.location.search));

afterEach(() => window.history.replaceState(null, '', '/'));

describe('App', () => {
  it('is as it was before events when there is none', async () => {
    serve([]);
    render(<App api={api} session={ORGANIZER} onSignOut={() => {}} />);

    expect(await screen.findByRole('heading', { name: 'Choose a person' })).toBeTruthy();
    await screen.findByTestId('person-5');
    expect(screen.queryByLabelText('Event')).toBeNull();
    expect(window.location.search).toBe('');
  });

  it('opens on the latest event, which the address then names', async () => {
    serve([EVENT, OLDER]);
    render(<App api={api} session={ORGANIZER} onSignOut={() => {}} />);

    expect(await screen.findByRole('heading', { name: EVENT.name })).toBeTruthy();
    await waitFor(() => expect(query()).toMatchObject({ event: String(EVENT.id), section: 'attendees' }));
    const picker = screen.getByLabelText('Event') as HTMLSelectElement;
    expect(picker.value).toBe(String(EVENT.id));
    expect([...picker.options].map((o) => o.textContent)).toEqual([
      'High Desert Tech Summit 2020 (Aug 18, 2020)',
      'Spring Summit 2020 (Apr 1, 2020)',
    ]);
    expect(await screen.findByTestId('floor-plan')).toBeTruthy();
    const bar = screen.getByRole('navigation', { name: 'Events' });
    expect(within(bar).getByText(/^Aug 18, 2020, 8:55\sAM\s*–\s*1:25\sPM MDT/)).toBeTruthy();
    // A person's link keeps the event.
    const link = within(screen.getByTestId('person-5')).getByRole('link');
    expect(link.getAttribute('href')).toMatch(/^\?event=7&section=attendees&person=5&/);
  });

  it("shows a person's day at the event above whom they met, which can cover the event's days", async () => {
    window.history.replaceState(null, '', '/?person=5');
    const fetch = serve([EVENT, OLDER]);
    render(<App api={api} session={ORGANIZER} onSignOut={() => {}} />);

    expect(await screen.findByRole('heading', { name: `At ${EVENT.name}` })).toBeTruthy();
    expect(await screen.findByTestId('timeline-presentation-101')).toBeTruthy();
    expect(await screen.findByTestId('shared-6')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Whom they met, over any period' })).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'Show the event’s days' }));
    await waitFor(() => expect(query()).toMatchObject({ event: String(EVENT.id), person: '5', start: '2020-08-18', end: '2020-08-18' }));
    expect((screen.getByLabelText('Start date') as HTMLInputElement).value).toBe('2020-08-18');
    const contacts = fetch.mock.calls
      .map(([input]) => new URL(String(input)))
      .filter((url) => url.pathname.endsWith('/contacts'));
    expect(contacts.at(-1)?.searchParams.get('start')).toBe('2020-08-18');
  });

  it("shows the organizer's figures in a view of their own", async () => {
    serve([EVENT, OLDER]);
    render(<App api={api} session={ORGANIZER} onSignOut={() => {}} />);

    const link = await screen.findByRole('link', { name: 'Organizer' });
    expect(link.getAttribute('href')).toContain('section=organizer');
    await userEvent.click(link);

    await waitFor(() => expect(query()).toMatchObject({ event: String(EVENT.id), section: 'organizer' }));
    expect(screen.getByRole('link', { name: 'Organizer' }).getAttribute('aria-current')).toBe('page');
    expect(await screen.findByTestId('attendance-chart')).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'People' })).toBeNull();
  });

  it('names an unknown event and offers the others', async () => {
    window.history.replaceState(null, '', `/?event=99`);
    serve([EVENT, OLDER]);
    render(<App api={api} session={ORGANIZER} onSignOut={() => {}} />);

    expect((await screen.findByRole('alert')).textContent).toBe('No event with id 99: choose an event.');
    const picker = screen.getByLabelText('Event') as HTMLSelectElement;
    expect(picker.value).toBe('');
    await userEvent.selectOptions(picker, String(EVENT.id));
    await waitFor(() => expect(query()).toMatchObject({ event: String(EVENT.id) }));
    expect(await screen.findByRole('heading', { name: EVENT.name })).toBeTruthy();
  });

  it('shows an attendee only themselves, without the organizer’s tools', async () => {
    window.history.replaceState(null, '', `/?person=6&section=organizer`);
    const fetch = serve([EVENT, OLDER]);
    render(<App api={api} session={TACO_SIGNED_IN} onSignOut={() => {}} />);

    expect(await screen.findByText('Signed in as Taco Fargo')).toBeTruthy();
    expect(await screen.findByTestId('timeline-presentation-101')).toBeTruthy();
    await waitFor(() => expect(query()).toMatchObject({ person: '5', section: 'attendees' }));
    expect(screen.queryByRole('link', { name: 'Organizer' })).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Add a person' })).toBeNull();
    expect(screen.queryByRole('button', { name: /sign-in code/ })).toBeNull();
    const paths = fetch.mock.calls.map(([input]) => new URL(String(input)).pathname);
    expect(paths).not.toContain('/api/persons');
    expect(paths.filter((path) => path.startsWith('/api/persons/')).every((path) => path.startsWith('/api/persons/5')))
      .toBe(true);
  });

  it('lets the organizer make a sign-in code for the person shown', async () => {
    window.history.replaceState(null, '', `/?person=5`);
    const fetch = serve([EVENT]);
    render(<App api={api} session={ORGANIZER} onSignOut={() => {}} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Make a sign-in code for Taco Fargo' }));
    expect((await screen.findByTestId('sign-in-code')).textContent).toBe('7KQ2-M9XD-4TZP');
    const [input, init] = fetch.mock.calls.at(-1)!;
    expect(new URL(String(input)).pathname).toBe('/api/persons/5/enrollment-codes');
    expect(init?.method).toBe('POST');
    expect((init?.headers as Record<string, string>).authorization).toBe('Bearer a-token');
  });

  it('lets an attendee download everything stored about them', async () => {
    const fetch = serve([EVENT]);
    const saved = vi.fn((_: Blob) => 'blob:export');
    // jsdom has no object URLs: the page's download goes through these.
    URL.createObjectURL = saved;
    URL.revokeObjectURL = vi.fn();
    render(<App api={api} session={TACO_SIGNED_IN} onSignOut={() => {}} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Download my data' }));
    await vi.waitFor(() => expect(saved).toHaveBeenCalled());
    const file = saved.mock.calls[0][0];
    expect(JSON.parse(await file.text()).person.id).toBe(5);
    const exports = fetch.mock.calls.filter(([input]) => new URL(String(input)).pathname === '/api/persons/5/export');
    expect(exports).toHaveLength(1);
    expect((exports[0][1]?.headers as Record<string, string>).authorization).toBe('Bearer a-token');
  });
});

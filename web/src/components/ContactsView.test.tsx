import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiClient, type Contact, type ContactsPage } from '../api';
import { json, stubFetch } from '../test/http';
import type { Settings } from '../url';
import { ContactsView } from './ContactsView';

const api = new ApiClient('http://api.test');
const settings: Settings = { start: '2020-07-07', end: '2020-07-07', distance: 10, window: 600, minDuration: 0 };

function contact(id: number, first: string, last: string, totalSeconds: number, meetings = 1): Contact {
  const duration = totalSeconds / meetings;
  const meeting = (i: number) => ({
    start: `2020-07-07T1${i}:00:00Z`,
    end: new Date(Date.UTC(2020, 6, 7, 10 + i) + duration * 1000).toISOString().replace('.000', ''),
    duration_seconds: duration,
    latitude: 37.55363 + i * 0.0001,
    longitude: -122.290883,
    closest_meters: 1.25,
    encounters: 4,
  });
  const all = Array.from({ length: meetings }, (_, i) => meeting(i));
  return {
    person: { id, first_name: first, last_name: last, company_name: `${last} Ltd` },
    meeting_count: meetings,
    total_seconds: totalSeconds,
    first_met: all[0].start,
    last_met: all[all.length - 1].start,
    meetings: all,
  };
}

function page(contacts: Contact[], nextCursor?: string): ContactsPage {
  return { contacts, next_cursor: nextCursor ?? null, distance: 10, window_seconds: 600, min_duration_seconds: 0 };
}

/** The value of a contact's figure, found by its term. */
function stat(item: HTMLElement, term: string): string | null | undefined {
  return within(item).getByText(term, { selector: '.stats dt' }).nextElementSibling?.textContent;
}

function renderView(personId = 1) {
  return render(<ContactsView api={api} personId={personId} settings={settings} onFieldProblem={vi.fn()} />);
}

describe('ContactsView', () => {
  it('lists contacts in the order the API ranks them, with human durations', async () => {
    const fetch = stubFetch(() =>
      json(page([contact(8, 'Paul', 'Badman', 7500, 2), contact(5, 'Taco', 'Fargo', 45), contact(6, 'Frank', 'Shader', 0)])),
    );
    renderView();

    const items = await screen.findAllByTestId(/^contact-/);
    expect(items.map((item) => item.dataset.testid)).toEqual(['contact-8', 'contact-5', 'contact-6']);
    expect(within(items[0]).getByRole('heading').textContent).toBe('Paul Badman');
    expect(items.map((item) => stat(item, 'Time together'))).toEqual(['2 h 5 min', '45 s', '0 s']);
    expect(items.map((item) => stat(item, 'Meetings'))).toEqual(['2', '1', '1']);
    expect(within(items[0]).getAllByTitle('2020-07-07 10:00:00 UTC')).toHaveLength(1);

    const url = new URL(String(fetch.mock.calls[0][0]));
    expect(url.pathname).toBe('/api/persons/1/contacts');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      start: '2020-07-07',
      end: '2020-07-07',
      distance: '10',
      window: '600',
      min_duration: '0',
    });
    expect(screen.getByTestId('meeting-map').querySelectorAll('circle')).toHaveLength(4);
  });

  it('expands a contact to show its meetings', async () => {
    stubFetch(() => json(page([contact(5, 'Taco', 'Fargo', 600, 2)])));
    renderView();

    const button = await screen.findByRole('button', { name: 'Show 2 meetings with Taco Fargo' });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByRole('list', { name: 'Meetings with Taco Fargo' })).toBeNull();

    await userEvent.click(button);

    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(button.getAttribute('aria-label')).toBe('Hide 2 meetings with Taco Fargo');
    const meetings = within(screen.getByRole('list', { name: 'Meetings with Taco Fargo' })).getAllByRole('listitem');
    expect(meetings).toHaveLength(2);
    expect(within(meetings[1]).getByText('37.55373, -122.29088')).toBeTruthy();
    expect(within(meetings[1]).getByText('5 min')).toBeTruthy();
    expect(within(meetings[1]).getByText('1.3 m')).toBeTruthy();
    // The expanded contact's meetings stand out on the map.
    expect(screen.getByTestId('meeting-map').querySelectorAll('circle.is-highlighted')).toHaveLength(2);
  });

  it('appends the next page on "Load more"', async () => {
    const fetch = stubFetch((url) =>
      url.searchParams.get('cursor') === 'c1'
        ? json(page([contact(9, 'Otto', 'Spring', 10)]))
        : json(page([contact(5, 'Taco', 'Fargo', 600)], 'c1')),
    );
    renderView();

    await userEvent.click(await screen.findByRole('button', { name: 'Load more' }));

    expect(await screen.findByTestId('contact-9')).toBeTruthy();
    expect(screen.getAllByTestId(/^contact-/)).toHaveLength(2);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('says so when no one was met', async () => {
    stubFetch(() => json(page([])));
    renderView();

    expect(await screen.findByText(/^No contacts between/)).toBeTruthy();
    expect(screen.queryByTestId('meeting-map')).toBeNull();
  });

  it('offers a retry when the API cannot be reached', async () => {
    let up = false;
    const fetch = stubFetch(() => {
      if (!up) throw new TypeError('Failed to fetch');
      return json(page([contact(5, 'Taco', 'Fargo', 600)]));
    });
    renderView();

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Cannot reach the UdaConnect API at http://api.test');

    up = true;
    await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));

    expect(await screen.findByTestId('contact-5')).toBeTruthy();
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('names an unknown person', async () => {
    stubFetch(() => json({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'no person with id 99' }, 404));
    renderView(99);

    expect((await screen.findByRole('alert')).textContent).toBe('No person with id 99');
  });

  it('shows other problems in the words of the API, and hands field problems over', async () => {
    stubFetch(() =>
      json({ status: 400, title: 'Bad Request', detail: 'distance: must be a number of metres within [0, 50]', field: 'distance' }, 400),
    );
    const onFieldProblem = vi.fn();
    render(<ContactsView api={api} personId={1} settings={settings} onFieldProblem={onFieldProblem} />);

    expect((await screen.findByRole('alert')).textContent).toBe('distance: must be a number of metres within [0, 50]');
    expect(onFieldProblem).toHaveBeenLastCalledWith({
      field: 'distance',
      message: 'distance: must be a number of metres within [0, 50]',
    });
  });

  it('marks itself busy while loading', () => {
    stubFetch(() => new Promise<Response>(() => {}));
    const { container } = renderView();

    expect(screen.getByRole('status').textContent).toBe('Loading contacts…');
    expect(container.querySelector('[aria-busy="true"]')).toBeTruthy();
  });
});

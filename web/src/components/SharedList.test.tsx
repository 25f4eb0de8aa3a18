import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api';
import { EVENT, person, SHARED, sharedWith } from '../test/event';
import { json, stubFetch } from '../test/http';
import { SharedList } from './SharedList';

const api = new ApiClient('http://api.test');

function renderList(onSelect = vi.fn(), selected: number | null = null) {
  return render(
    <SharedList api={api} eventId={EVENT.id} timeZone={EVENT.time_zone} personId={5} selected={selected} onSelect={onSelect} />,
  );
}

describe('SharedList', () => {
  it('lists the people as the API ranks them, each with what is shared', async () => {
    const fetch = stubFetch(() => json(SHARED));
    renderList();

    const items = await screen.findAllByTestId(/^shared-/);
    expect(items.map((item) => item.dataset.testid)).toEqual(['shared-6', 'shared-1']);
    const frank = items[0];
    expect(within(frank).getByRole('heading').textContent).toBe('Frank Shader');
    expect(frank.querySelector('.score')?.textContent).toBe('5 points');
    expect(frank.textContent).toContain('Chaos Engineering on a Shoestring (Hall A, 9:00');
    expect(frank.textContent).toContain('Booth A2 (A2 Analytics)');
    expect(frank.textContent).toContain('Meetings2 (1 min together)');
    expect(items[1].textContent).toContain('Meetingsnone');

    const url = new URL(String(fetch.mock.calls[0][0]));
    expect(url.pathname).toBe('/api/persons/5/shared');
    expect(Object.fromEntries(url.searchParams)).toEqual({ event: String(EVENT.id) });
  });

  it('hands over the person chosen to be shown on the plan, and takes them back', async () => {
    stubFetch(() => json(SHARED));
    const onSelect = vi.fn();
    const { rerender } = renderList(onSelect);

    const show = await screen.findByRole('button', { name: 'Show on the plan what you share with Frank Shader' });
    expect(show.getAttribute('aria-pressed')).toBe('false');
    await userEvent.click(show);
    expect(onSelect).toHaveBeenLastCalledWith(SHARED.shared[0]);

    rerender(
      <SharedList api={api} eventId={EVENT.id} timeZone={EVENT.time_zone} personId={5} selected={6} onSelect={onSelect} />,
    );
    expect(show.getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('shared-6').className).toContain('is-selected');
    await userEvent.click(show);
    expect(onSelect).toHaveBeenLastCalledWith(null);
  });

  it('appends the next page on "Load more"', async () => {
    const fetch = stubFetch((url) =>
      url.searchParams.get('cursor') === 'c1'
        ? json({ shared: [sharedWith(person(9, 'Otto', 'Spring'), 2, { booth: true, meetings: 1 })], next_cursor: null })
        : json({ ...SHARED, next_cursor: 'c1' }),
    );
    renderList();

    await userEvent.click(await screen.findByRole('button', { name: 'Load more' }));

    expect(await screen.findByTestId('shared-9')).toBeTruthy();
    expect(screen.getAllByTestId(/^shared-/)).toHaveLength(3);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(within(screen.getByTestId('shared-9')).getByRole('button', { name: /^Show on the plan/ })).toBeTruthy();
  });

  it('says so when no one shares anything', async () => {
    stubFetch(() => json({ shared: [], next_cursor: null }));
    renderList();
    expect(await screen.findByText(/^No one attended a presentation/)).toBeTruthy();
  });

  it('offers a retry when the API cannot be reached', async () => {
    let up = false;
    stubFetch(() => {
      if (!up) throw new TypeError('Failed to fetch');
      return json(SHARED);
    });
    renderList();

    const alert = await screen.findByRole('alert');
    up = true;
    await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByTestId('shared-6')).toBeTruthy();
  });
});

import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api';
import { json, stubFetch } from '../test/http';
import { PrivacyPanel } from './PrivacyPanel';

const API = 'http://api.test';

describe('PrivacyPanel', () => {
  it('shows the choices as stored and saves each change', async () => {
    const saved: unknown[] = [];
    stubFetch((url, init) => {
      expect(url.pathname).toBe('/api/persons/5/privacy');
      if (init?.method === 'PUT') {
        const body = JSON.parse(String(init.body));
        saved.push(body);
        return json(body);
      }
      return json({ visible_to_others: false, location_paused: false });
    });
    render(<PrivacyPanel api={new ApiClient(API, 'token')} personId={5} onErased={vi.fn()} />);
    const visible = (await screen.findByRole('checkbox', { name: 'Let other attendees see me' })) as HTMLInputElement;
    await vi.waitFor(() => expect(visible.disabled).toBe(false));
    expect(visible.checked).toBe(false);
    await userEvent.click(visible);
    await vi.waitFor(() => expect(visible.checked).toBe(true));
    await userEvent.click(screen.getByRole('checkbox', { name: 'Pause sharing my location' }));
    await vi.waitFor(() => expect((screen.getByRole('checkbox', { name: 'Pause sharing my location' }) as HTMLInputElement).checked).toBe(true));
    expect(saved).toEqual([
      { visible_to_others: true, location_paused: false },
      { visible_to_others: true, location_paused: true },
    ]);
  });

  it('erases only once confirmed, then ends the sign-in', async () => {
    const fetch = stubFetch((url, init) => {
      if (init?.method === 'DELETE') {
        expect(url.pathname).toBe('/api/persons/5');
        return json({ person_id: 5, requested: '2026-12-01T10:00:00Z' }, 202);
      }
      return json({ visible_to_others: false, location_paused: false });
    });
    const erased = vi.fn();
    render(<PrivacyPanel api={new ApiClient(API, 'token')} personId={5} onErased={erased} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Erase my data…' }));
    await userEvent.click(screen.getByRole('button', { name: 'Keep my data' }));
    expect(fetch.mock.calls.some(([, init]) => init?.method === 'DELETE')).toBe(false);
    await userEvent.click(screen.getByRole('button', { name: 'Erase my data…' }));
    await userEvent.click(screen.getByRole('button', { name: 'Erase everything' }));
    await vi.waitFor(() => expect(erased).toHaveBeenCalled());
  });

  it('says why a change was not saved', async () => {
    stubFetch((_, init) =>
      init?.method === 'PUT'
        ? json({ status: 503, title: 'Service Unavailable', detail: 'a backing service is unavailable; retry later' }, 503)
        : json({ visible_to_others: false, location_paused: false }),
    );
    render(<PrivacyPanel api={new ApiClient(API, 'token')} personId={5} onErased={vi.fn()} />);
    const visible = (await screen.findByRole('checkbox', { name: 'Let other attendees see me' })) as HTMLInputElement;
    await vi.waitFor(() => expect(visible.disabled).toBe(false));
    await userEvent.click(visible);
    expect((await screen.findByRole('alert')).textContent).toBe('a backing service is unavailable; retry later');
    expect(visible.checked).toBe(false);
  });
});

import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api';
import { EVENT, STATISTICS } from '../test/event';
import { json, stubFetch } from '../test/http';
import { OrganizerView } from './OrganizerView';

const api = new ApiClient('http://api.test');

describe('OrganizerView', () => {
  it('charts the attendees of each presentation, with a table of the same', async () => {
    const fetch = stubFetch(() => json(STATISTICS));
    render(<OrganizerView api={api} event={EVENT} />);

    const chart = await screen.findByTestId('attendance-chart');
    const row = (id: number) => within(chart).getByTestId(`presentation-bar-${id}`);
    const value = (id: number) => row(id).querySelector('.chart-value')?.textContent;
    expect([value(101), value(102)]).toEqual(['3', '0']);
    const bar = (id: number) => Number(row(id).querySelector('.chart-bar')?.getAttribute('width'));
    expect(bar(101)).toBeGreaterThan(0);
    expect(bar(102)).toBe(0);
    // The text alternative: a summary the chart points to, and a table.
    const summary = document.getElementById(chart.getAttribute('aria-describedby')!);
    expect(summary?.textContent).toMatch(
      /^2 presentations, 3 attendances in all; the most attended, Chaos Engineering on a Shoestring, had 3 attendees\./,
    );
    const table = screen.getByRole('table', { name: 'Attendees per presentation' });
    expect(within(table).getAllByRole('row').map((row) => row.textContent)).toEqual([
      'StartPresentationRoomAttendees',
      expect.stringMatching(/^9:00\sAMChaos Engineering on a ShoestringHall A3$/),
      expect.stringMatching(/^9:00\sAMEvaluating Models Beyond AccuracyHall B0$/),
    ]);
    expect(new URL(String(fetch.mock.calls[0][0])).pathname).toBe(`/api/events/${EVENT.id}/statistics`);
  });

  it("grids booth visitors by the event's hours", async () => {
    stubFetch(() => json(STATISTICS));
    render(<OrganizerView api={api} event={EVENT} />);

    const chart = await screen.findByTestId('traffic-chart');
    const counts = (id: number) =>
      [...within(chart).getByTestId(`traffic-${id}`).querySelectorAll('.heat-count')].map((t) => t.textContent);
    expect(counts(11)).toEqual(['1']);
    expect(counts(12)).toEqual(['2']);
    // Booths by name; hours of the event, 8 AM to 1 PM in Denver.
    const rows = [...chart.querySelectorAll('.heat-row')].map((row) => row.getAttribute('data-testid'));
    expect(rows).toEqual(['traffic-11', 'traffic-12']);
    expect(within(chart).getByTestId('traffic-12').querySelectorAll('rect.heat')).toHaveLength(6);
    expect(screen.getByRole('table', { name: 'Booth visitors per hour' })).toBeTruthy();
  });

  it('says so when there is nothing to chart', async () => {
    stubFetch(() => json({ presentations: [], booth_traffic: [] }));
    render(<OrganizerView api={api} event={EVENT} />);

    expect(await screen.findByText('No programme has been uploaded for this event yet.')).toBeTruthy();
    expect(screen.getByText('No booth has had a visitor yet.')).toBeTruthy();
  });
});

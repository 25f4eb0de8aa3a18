import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api';
import { PLAN, STATISTICS, TALKS, TACO, person } from '../test/event';
import { json, stubFetch } from '../test/http';
import { WhoWasThere } from './WhoWasThere';

const api = new ApiClient('http://api.test');
const PAM = person(1, 'Pam', 'Trexler');

const answers = (url: URL) => {
  if (url.pathname === '/api/presentations/101/attendees') {
    return json({
      presentation: TALKS[0],
      attendees: [
        { person: TACO, minutes_present: 34.5, arrived: TALKS[0].start, left: TALKS[0].end },
        { person: PAM, minutes_present: 12, arrived: TALKS[0].start, left: TALKS[0].end },
      ],
    });
  }
  if (url.pathname === '/api/areas/12/visitors') {
    const visit = { visits: 1, first_arrived: '2020-08-18T15:40:00Z', last_left: '2020-08-18T15:45:00Z' };
    return json({
      area: PLAN.features.find((area) => area.id === 12),
      visitors: [
        { person: PAM, minutes_present: 5, counted: true, ...visit },
        { person: TACO, minutes_present: 0.5, counted: false, ...visit },
      ],
    });
  }
  return json({ title: 'Not found', status: 404, detail: 'no such thing' }, 404);
};

describe('WhoWasThere', () => {
  it("lists a presentation's attendees and a booth's visitors, passers-by marked", async () => {
    const fetch = stubFetch(answers);
    render(<WhoWasThere api={api} statistics={STATISTICS} />);
    const select = screen.getByRole('combobox', { name: /Presentation or booth/ });
    // Every presentation, then the booths with traffic by name.
    expect([...select.querySelectorAll('option')].map((option) => option.textContent)).toEqual([
      'Choose one…',
      TALKS[0].title,
      TALKS[1].title,
      'Booth A1',
      'Booth A2',
    ]);
    expect(fetch).not.toHaveBeenCalled();

    await userEvent.selectOptions(select, TALKS[0].title);
    const attendees = await screen.findByRole('list', { name: `Attendees of ${TALKS[0].title}` });
    expect(within(attendees).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'Taco Fargo Fargo Ltd 35 min',
      'Pam Trexler Trexler Ltd 12 min',
    ]);

    await userEvent.selectOptions(select, 'Booth A2');
    const visitors = await screen.findByRole('list', { name: 'Visitors of Booth A2' });
    expect(within(visitors).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'Pam Trexler Trexler Ltd 5 min',
      'Taco Fargo Fargo Ltd 1 min, passed by',
    ]);
  });

  it('says so when a presentation is gone', async () => {
    stubFetch(answers);
    render(<WhoWasThere api={api} statistics={STATISTICS} />);
    await userEvent.selectOptions(screen.getByRole('combobox'), TALKS[1].title);
    expect(await screen.findByText('It is no longer part of the event.')).toBeTruthy();
  });
});

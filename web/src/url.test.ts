import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  defaultViewState,
  eventDays,
  parseSettingsDraft,
  parseViewState,
  serializeViewState,
  settingsDraft,
  validateRange,
  type ViewState,
} from './url';

const today = new Date(2024, 2, 15, 9, 30); // 15 March 2024, local time

describe('view state in the query string', () => {
  it('round-trips a full state', () => {
    const state: ViewState = {
      event: 3,
      section: 'organizer',
      person: 1,
      start: '2020-07-07',
      end: '2020-07-07',
      distance: 7.5,
      window: 90,
      minDuration: 30,
      tab: 'connections',
    };
    const search = serializeViewState(state);
    expect(search).toBe(
      'event=3&section=organizer&person=1&start=2020-07-07&end=2020-07-07&distance=7.5&window=90&min_duration=30&tab=connections',
    );
    expect(parseViewState(`?${search}`, today)).toEqual(state);
  });

  it('leaves the event out when there is none, as before events', () => {
    const state: ViewState = { ...defaultViewState(today), person: 1 };
    expect(serializeViewState(state)).toBe(
      'person=1&start=2024-02-14&end=2024-03-15&distance=10&window=600&min_duration=0&tab=contacts',
    );
  });

  it('defaults to the latest event, its attendees, the latest 31 days, 10 m, 10 minutes and the contacts tab', () => {
    const expected: ViewState = {
      event: null,
      section: 'attendees',
      person: null,
      start: '2024-02-14',
      end: '2024-03-15',
      distance: 10,
      window: 600,
      minDuration: 0,
      tab: 'contacts',
    };
    expect(defaultViewState(today)).toEqual(expected);
    expect(parseViewState('', today)).toEqual(expected);
    expect(validateRange(expected.start, expected.end)).toEqual({});
  });

  it('replaces invalid values by their defaults', () => {
    const state = parseViewState(
      '?event=-2&section=all&person=abc&start=2020-02-30&end=tomorrow&distance=70&window=-1&min_duration=NaN&tab=map',
      today,
    );
    expect(state).toEqual(defaultViewState(today));
    expect(parseViewState('?person=0', today).person).toBeNull();
    expect(parseViewState('?person=1.5', today).person).toBeNull();
    expect(parseViewState('?event=0', today).event).toBeNull();
    expect(parseViewState('?distance=', today).distance).toBe(10);
  });

  it('completes a range given by one end with the other a month away', () => {
    expect(parseViewState('?start=2020-07-01', today)).toMatchObject({ start: '2020-07-01', end: '2020-07-31' });
    expect(parseViewState('?end=2020-07-31', today)).toMatchObject({ start: '2020-07-01', end: '2020-07-31' });
  });

  it('keeps an inverted range so that the page can point it out', () => {
    const state = parseViewState('?start=2020-07-10&end=2020-07-01', today);
    expect(state).toMatchObject({ start: '2020-07-10', end: '2020-07-01' });
    expect(validateRange(state.start, state.end)).toEqual({
      end: 'The end date must not be before the start date.',
    });
  });
});

describe('dates', () => {
  it('adds days across months and leap days', () => {
    expect(addDays('2020-02-28', 1)).toBe('2020-02-29');
    expect(addDays('2020-02-29', 1)).toBe('2020-03-01');
    expect(addDays('2021-01-01', -1)).toBe('2020-12-31');
  });

  it('counts whole days', () => {
    expect(daysBetween('2020-07-01', '2020-07-31')).toBe(30);
    expect(daysBetween('2020-07-31', '2020-07-01')).toBe(-30);
  });

  it('allows at most 31 days, both ends included', () => {
    expect(validateRange('2020-07-07', '2020-07-07')).toEqual({});
    expect(validateRange('2020-07-01', '2020-07-31')).toEqual({});
    expect(validateRange('2020-07-01', '2020-08-01')).toEqual({ end: 'The range can cover at most 31 days.' });
    expect(validateRange('', '2020-08-01')).toEqual({ start: 'Enter a start date.' });
  });
});

describe('settings as typed', () => {
  const base = settingsDraft({ start: '2020-07-07', end: '2020-07-07', distance: 10, window: 600, minDuration: 30 });

  it('shows the window and the minimum duration in minutes', () => {
    expect(base).toEqual({
      start: '2020-07-07',
      end: '2020-07-07',
      distance: '10',
      windowMinutes: '10',
      minDurationMinutes: '0.5',
    });
  });

  it('turns minutes back into whole seconds', () => {
    expect(parseSettingsDraft({ ...base, windowMinutes: '2.5' })).toEqual({
      settings: { start: '2020-07-07', end: '2020-07-07', distance: 10, window: 150, minDuration: 30 },
      errors: {},
    });
  });

  it('names every wrong field', () => {
    const { settings, errors } = parseSettingsDraft({
      start: '2020-07-07',
      end: '2020-07-01',
      distance: '51',
      windowMinutes: '61',
      minDurationMinutes: '',
    });
    expect(settings).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(['distance', 'end', 'min_duration', 'window']);
    expect(errors.distance).toBe('Enter a distance from 0 to 50 metres.');
  });
});

describe("an event's days", () => {
  it('are the UTC days the event touches', () => {
    expect(eventDays('2020-08-18T14:55:00Z', '2020-08-18T19:25:00Z')).toEqual({ start: '2020-08-18', end: '2020-08-18' });
    // An evening in Denver ends the next day in UTC; an end at midnight is exclusive.
    expect(eventDays('2020-08-18T20:00:00Z', '2020-08-19T04:00:00Z')).toEqual({ start: '2020-08-18', end: '2020-08-19' });
    expect(eventDays('2020-08-18T00:00:00Z', '2020-08-20T00:00:00Z')).toEqual({ start: '2020-08-18', end: '2020-08-19' });
  });

  it('are at most as many as one search covers', () => {
    const days = eventDays('2020-08-01T12:00:00Z', '2020-09-01T12:00:00Z');
    expect(days).toEqual({ start: '2020-08-01', end: '2020-08-31' });
    expect(validateRange(days.start, days.end)).toEqual({});
  });
});

import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  defaultViewState,
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
      person: 1,
      start: '2020-07-07',
      end: '2020-07-07',
      distance: 7.5,
      window: 90,
      minDuration: 30,
      tab: 'connections',
    };
    const search = serializeViewState(state);
    expect(search).toBe('person=1&start=2020-07-07&end=2020-07-07&distance=7.5&window=90&min_duration=30&tab=connections');
    expect(parseViewState(`?${search}`, today)).toEqual(state);
  });

  it('defaults to the latest 31 days, 10 m, 10 minutes and the contacts tab', () => {
    const expected: ViewState = {
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
      '?person=abc&start=2020-02-30&end=tomorrow&distance=70&window=-1&min_duration=NaN&tab=map',
      today,
    );
    expect(state).toEqual(defaultViewState(today));
    expect(parseViewState('?person=0', today).person).toBeNull();
    expect(parseViewState('?person=1.5', today).person).toBeNull();
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

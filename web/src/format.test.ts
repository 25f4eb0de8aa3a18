import { describe, expect, it, vi } from 'vitest';
import {
  formatClock,
  formatClockRange,
  formatDate,
  formatDay,
  formatDuration,
  formatMeters,
  formatTimeRange,
  formatUtc,
  parseApiTime,
  zoneName,
} from './format';

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [0.4, '0 s'],
    [45, '45 s'],
    [59.6, '1 min'],
    [60, '1 min'],
    [125, '2 min 5 s'],
    [3600, '1 h'],
    [7500, '2 h 5 min'],
    [7559, '2 h 5 min'],
    [86_400, '1 d'],
    [90_000, '1 d 1 h'],
  ])('%s s reads "%s"', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('times', () => {
  it('reads naive API times as UTC', () => {
    expect(parseApiTime('2020-08-15T10:37:06').toISOString()).toBe('2020-08-15T10:37:06.000Z');
    expect(parseApiTime('2020-08-15T10:37:06Z').toISOString()).toBe('2020-08-15T10:37:06.000Z');
    expect(parseApiTime('2020-08-15T12:37:06+02:00').toISOString()).toBe('2020-08-15T10:37:06.000Z');
  });

  it('gives the exact UTC time for tooltips', () => {
    expect(formatUtc('2020-07-07T10:37:06Z')).toBe('2020-07-07 10:37:06 UTC');
  });

  it('formats in the given zone and locale', () => {
    const options = { locale: 'en-GB', timeZone: 'UTC' };
    expect(formatTimeRange('2020-07-07T10:37:06Z', '2020-07-07T10:37:06Z', options)).toBe('7 Jul 2020, 10:37');
    expect(formatTimeRange('2020-07-07T10:37:06Z', '2020-07-07T11:02:00Z', options)).toMatch(
      /^7 Jul 2020, 10:37\s*–\s*11:02$/,
    );
    expect(formatTimeRange('2020-07-07T10:37:06Z', '2020-07-07T10:37:06Z', { locale: 'en-GB', timeZone: 'Europe/Berlin' })).toBe(
      '7 Jul 2020, 12:37',
    );
  });

  it("gives an event's times of day in its own zone", () => {
    const denver = { locale: 'en-US', timeZone: 'America/Denver' };
    expect(formatClock('2020-08-18T15:00:00Z', denver)).toMatch(/^9:00\sAM$/);
    expect(formatClockRange('2020-08-18T15:00:00Z', '2020-08-18T15:35:00Z', denver)).toMatch(/^9:00\s*–\s*9:35\sAM$/);
    expect(formatClockRange(new Date('2020-08-18T15:00:00Z'), new Date('2020-08-18T15:00:00Z'), denver)).toMatch(/^9:00\sAM$/);
    expect(formatClock('2020-08-18T15:00:00Z', { locale: 'en-GB', timeZone: 'Asia/Kolkata' })).toBe('20:30');
    expect(formatDay('2020-08-19T04:00:00Z', denver)).toBe('Aug 18, 2020');
    expect(zoneName('2020-08-18T15:00:00Z', denver)).toBe('MDT');
    expect(zoneName('2020-01-18T15:00:00Z', denver)).toBe('MST');
  });

  it("formats in the languages the user's browser asks for, not the runtime's own", () => {
    vi.stubGlobal('navigator', { languages: ['de-DE', 'en-US'] });
    expect(formatDay('2020-08-19T04:00:00Z', { timeZone: 'America/Denver' })).toBe('18.08.2020');
    expect(formatClock('2020-08-18T15:00:00Z', { timeZone: 'America/Denver' })).toBe('09:00');
    expect(formatMeters(3.24)).toBe('3,2 m');
    vi.stubGlobal('navigator', { languages: ['en-US'] });
    expect(formatDay('2020-08-19T04:00:00Z', { timeZone: 'America/Denver' })).toBe('Aug 18, 2020');
  });

  it('formats a calendar date without shifting it', () => {
    expect(formatDate('2020-07-07', { locale: 'en-GB' })).toBe('7 Jul 2020');
  });
});

describe('formatMeters', () => {
  it('reads in metres, then kilometres', () => {
    expect(formatMeters(0, 'en')).toBe('0 m');
    expect(formatMeters(3.24, 'en')).toBe('3.2 m');
    expect(formatMeters(1500, 'en')).toBe('1.5 km');
  });
});

// How durations, times and places read on the page. Times come from the API
// in UTC; they are shown in the user's own time zone and locale, with the
// UTC value kept at hand for tooltips.

/** A duration for humans: "0 s", "45 s", "12 min 5 s", "2 h 5 min", "3 d 4 h". */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return `${total} s`;
  const parts = (big: number, bigUnit: string, small: number, smallUnit: string) =>
    small === 0 ? `${big} ${bigUnit}` : `${big} ${bigUnit} ${small} ${smallUnit}`;
  if (total < 3600) return parts(Math.floor(total / 60), 'min', total % 60, 's');
  if (total < 86_400) return parts(Math.floor(total / 3600), 'h', Math.floor((total % 3600) / 60), 'min');
  return parts(Math.floor(total / 86_400), 'd', Math.floor((total % 86_400) / 3600), 'h');
}

/** An API time: RFC 3339, or naive (the proof of concept's routes), which means UTC. */
export function parseApiTime(text: string): Date {
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(text);
  return new Date(hasZone ? text : `${text}Z`);
}

/**
 * The locales to format in: the one given (tests pin it), else the
 * languages the user asked their browser to show pages in, rather than
 * the runtime's default, which follows its process's environment (an empty
 * `LANG` gives the root locale's "2020 M08 18"): so the page reads as its
 * user chose wherever it runs, tests included.
 */
export function displayLocales(locale?: string): readonly string[] {
  return locale ? [locale] : (globalThis.navigator?.languages ?? []);
}

export interface FormatOptions {
  /** The user's own languages unless given (tests pin it). */
  locale?: string;
  /** The user's own zone unless given (tests pin it). */
  timeZone?: string;
}

function dateTimeFormat({ locale, timeZone }: FormatOptions): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(displayLocales(locale), { dateStyle: 'medium', timeStyle: 'short', timeZone });
}

/** A moment in the user's zone, e.g. "7 Jul 2020, 12:37". */
export function formatDateTime(text: string, options: FormatOptions = {}): string {
  return dateTimeFormat(options).format(parseApiTime(text));
}

/** From one moment to another, sharing what they have in common: "7 Jul 2020, 12:37 – 12:52". */
export function formatTimeRange(start: string, end: string, options: FormatOptions = {}): string {
  const from = parseApiTime(start);
  const to = parseApiTime(end);
  const format = dateTimeFormat(options);
  return from.getTime() === to.getTime() ? format.format(from) : format.formatRange(from, to);
}

const moment = (value: string | Date) => (typeof value === 'string' ? parseApiTime(value) : value);

function clockFormat({ locale, timeZone }: FormatOptions): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(displayLocales(locale), { timeStyle: 'short', timeZone });
}

/** A time of day, e.g. "9:05 AM"; an event's times are given in the event's zone. */
export function formatClock(value: string | Date, options: FormatOptions = {}): string {
  return clockFormat(options).format(moment(value));
}

/** From one time of day to another: "9:00 – 9:35 AM". */
export function formatClockRange(start: string | Date, end: string | Date, options: FormatOptions = {}): string {
  const from = moment(start);
  const to = moment(end);
  const format = clockFormat(options);
  return from.getTime() === to.getTime() ? format.format(from) : format.formatRange(from, to);
}

/** The day of a moment, e.g. "Aug 18, 2020"; an event's days are given in the event's zone. */
export function formatDay(value: string | Date, { locale, timeZone }: FormatOptions = {}): string {
  return new Intl.DateTimeFormat(displayLocales(locale), { dateStyle: 'medium', timeZone }).format(moment(value));
}

/** The zone's short name at a moment, e.g. "MDT" (or "GMT-6" where the locale has none). */
export function zoneName(value: string | Date, { locale, timeZone }: FormatOptions = {}): string {
  const parts = new Intl.DateTimeFormat(displayLocales(locale), { timeZoneName: 'short', timeZone }).formatToParts(moment(value));
  return parts.find((part) => part.type === 'timeZoneName')?.value ?? timeZone ?? '';
}

/** The exact UTC time, for a title attribute: "2020-07-07 10:37:06 UTC". */
export function formatUtc(text: string): string {
  return `${parseApiTime(text).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A calendar date (`YYYY-MM-DD`) in the user's locale, e.g. "7 Jul 2020". */
export function formatDate(isoDate: string, { locale }: Pick<FormatOptions, 'locale'> = {}): string {
  // The date is a calendar day, not a moment: format it in UTC so no zone shifts it.
  return new Intl.DateTimeFormat(displayLocales(locale), { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(`${isoDate}T00:00:00Z`),
  );
}

/** Degrees with five decimals (about a metre). */
export function formatCoordinate(degrees: number): string {
  return degrees.toFixed(5);
}

/** Metres for people: "0 m", "3.2 m", "1.5 km". */
export function formatMeters(meters: number, locale?: string): string {
  if (meters >= 1000) {
    return `${new Intl.NumberFormat(displayLocales(locale), { maximumFractionDigits: 1 }).format(meters / 1000)} km`;
  }
  return `${new Intl.NumberFormat(displayLocales(locale), { maximumFractionDigits: 1 }).format(meters)} m`;
}

/** "1 meeting", "3 meetings". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function fullName(person: { first_name: string; last_name: string }): string {
  return `${person.first_name} ${person.last_name}`;
}

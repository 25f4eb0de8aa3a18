// The view's state lives in the query string (?event=2&person=1&start=…) so
// that a view can be shared and a reload restores it. This module turns the
// query string into a complete, valid state and back, and validates the
// settings a user types in.

export type Tab = 'contacts' | 'connections';
/** The event's page for attendees (the people and each one's day), or for its organizer (the figures). */
export type Section = 'attendees' | 'organizer';

export interface Settings {
  /** First day, `YYYY-MM-DD`. */
  start: string;
  /** Last day, included, `YYYY-MM-DD`. */
  end: string;
  /** Encounter radius, metres. */
  distance: number;
  /** Encounter window, seconds. */
  window: number;
  /** Shortest meeting shown, seconds. */
  minDuration: number;
}

export interface ViewState extends Settings {
  /** The event shown; null for the latest (or none, when there is no event). */
  event: number | null;
  section: Section;
  person: number | null;
  tab: Tab;
}

/** The API's bounds (see the contacts route). */
export const LIMITS = {
  distance: { min: 0, max: 50 },
  window: { min: 0, max: 3600 },
  minDuration: { min: 0, max: 86_400 },
  /** Most days one query may cover, both ends included. */
  maxDays: 31,
} as const;

const DEFAULTS = { distance: 10, window: 600, minDuration: 0, tab: 'contacts', section: 'attendees' } as const;
const TABS: readonly Tab[] = ['contacts', 'connections'];
const SECTIONS: readonly Section[] = ['attendees', 'organizer'];
const DAY_MS = 86_400_000;

/** The calendar date of `date` where the user is, as `YYYY-MM-DD`. */
export function localIsoDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Midnight UTC of a strict `YYYY-MM-DD` date, or null when it is no real date. */
export function parseIsoDate(text: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2020-02-30 over to 2020-03-01: such a date is refused.
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    ? date
    : null;
}

export function addDays(isoDate: string, days: number): string {
  const date = parseIsoDate(isoDate);
  if (!date) throw new RangeError(`not a date: ${isoDate}`);
  return new Date(date.getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  const a = parseIsoDate(from);
  const b = parseIsoDate(to);
  if (!a || !b) throw new RangeError(`not a date: ${a ? to : from}`);
  return Math.round((b.getTime() - a.getTime()) / DAY_MS);
}

/** The latest month ending today: the widest range the API allows. */
export function defaultViewState(today: Date): ViewState {
  const end = localIsoDate(today);
  return {
    event: null,
    section: DEFAULTS.section,
    person: null,
    start: addDays(end, 1 - LIMITS.maxDays),
    end,
    distance: DEFAULTS.distance,
    window: DEFAULTS.window,
    minDuration: DEFAULTS.minDuration,
    tab: DEFAULTS.tab,
  };
}

type Bounds = { readonly min: number; readonly max: number };

function within(value: number, { min, max }: Bounds): number | null {
  return Number.isFinite(value) && value >= min && value <= max ? value : null;
}

function numberIn(text: string | null, bounds: Bounds): number | null {
  return text === null || text.trim() === '' ? null : within(Number(text), bounds);
}

/**
 * The view a query string asks for. Missing or invalid values take their
 * defaults; a range given by one end only gets the other end a month away.
 * The range itself is kept as given, even when inverted or too long, so the
 * page can show the user what is wrong with it.
 */
export function parseViewState(search: string, today: Date): ViewState {
  const params = new URLSearchParams(search);
  const defaults = defaultViewState(today);
  const id = (name: string) => {
    const text = params.get(name) ?? '';
    return /^\d{1,15}$/.test(text) && Number(text) > 0 ? Number(text) : null;
  };
  const date = (name: string) => {
    const text = params.get(name);
    return text !== null && parseIsoDate(text) ? text : null;
  };
  const span = LIMITS.maxDays - 1;
  let start = date('start');
  let end = date('end');
  if (start && !end) end = addDays(start, span);
  else if (!start && end) start = addDays(end, -span);
  const tab = params.get('tab');
  const section = params.get('section');
  return {
    event: id('event'),
    section: SECTIONS.find((s) => s === section) ?? defaults.section,
    person: id('person'),
    start: start ?? defaults.start,
    end: end ?? defaults.end,
    distance: numberIn(params.get('distance'), LIMITS.distance) ?? defaults.distance,
    window: numberIn(params.get('window'), LIMITS.window) ?? defaults.window,
    minDuration: numberIn(params.get('min_duration'), LIMITS.minDuration) ?? defaults.minDuration,
    tab: TABS.find((t) => t === tab) ?? defaults.tab,
  };
}

/** The query string (without `?`) of a view; every setting is written out so a shared link is exact. */
export function serializeViewState(state: ViewState): string {
  const params = new URLSearchParams();
  if (state.event !== null) {
    params.set('event', String(state.event));
    params.set('section', state.section);
  }
  if (state.person !== null) params.set('person', String(state.person));
  params.set('start', state.start);
  params.set('end', state.end);
  params.set('distance', String(state.distance));
  params.set('window', String(state.window));
  params.set('min_duration', String(state.minDuration));
  params.set('tab', state.tab);
  return params.toString();
}

/**
 * The days (UTC, as the contacts search counts them) an event from `start`
 * to `end` (exclusive) touches, at most as many as one search covers.
 */
export function eventDays(start: string, end: string): Pick<Settings, 'start' | 'end'> {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const from = new Date(start).getTime();
  const first = day(from);
  // The end is exclusive: an event ending at midnight does not touch the day it ends on.
  const last = day(Math.max(from, new Date(end).getTime() - 1));
  return { start: first, end: daysBetween(first, last) < LIMITS.maxDays ? last : addDays(first, LIMITS.maxDays - 1) };
}

/** Fields named as the API names them, so its problems land on the same inputs. */
export type SettingsField = 'start' | 'end' | 'distance' | 'window' | 'min_duration';
export type FieldErrors = Partial<Record<SettingsField, string>>;

export function validateRange(start: string, end: string): FieldErrors {
  if (!parseIsoDate(start)) return { start: 'Enter a start date.' };
  if (!parseIsoDate(end)) return { end: 'Enter an end date.' };
  const days = daysBetween(start, end);
  if (days < 0) return { end: 'The end date must not be before the start date.' };
  if (days >= LIMITS.maxDays) return { end: `The range can cover at most ${LIMITS.maxDays} days.` };
  return {};
}

/** The settings as typed: dates as `YYYY-MM-DD`, the window and minimum duration in minutes. */
export interface SettingsDraft {
  start: string;
  end: string;
  distance: string;
  windowMinutes: string;
  minDurationMinutes: string;
}

export function settingsDraft(settings: Settings): SettingsDraft {
  return {
    start: settings.start,
    end: settings.end,
    distance: String(settings.distance),
    windowMinutes: String(settings.window / 60),
    minDurationMinutes: String(settings.minDuration / 60),
  };
}

/** Valid settings from a draft, or the error of each wrong field. */
export function parseSettingsDraft(draft: SettingsDraft): { settings: Settings | null; errors: FieldErrors } {
  const errors: FieldErrors = validateRange(draft.start, draft.end);
  // Minutes as typed, to whole seconds as the URL and the API take them.
  const seconds = (minutes: string) => (minutes.trim() === '' ? NaN : Math.round(Number(minutes) * 60));
  const distance = numberIn(draft.distance, LIMITS.distance);
  if (distance === null) {
    errors.distance = `Enter a distance from ${LIMITS.distance.min} to ${LIMITS.distance.max} metres.`;
  }
  const windowSeconds = within(seconds(draft.windowMinutes), LIMITS.window);
  if (windowSeconds === null) {
    errors.window = `Enter a window from 0 to ${LIMITS.window.max / 60} minutes.`;
  }
  const minDuration = within(seconds(draft.minDurationMinutes), LIMITS.minDuration);
  if (minDuration === null) {
    errors.min_duration = `Enter a minimum duration from 0 to ${LIMITS.minDuration.max / 60} minutes.`;
  }
  const valid = Object.keys(errors).length === 0 && distance !== null && windowSeconds !== null && minDuration !== null;
  return {
    settings: valid ? { start: draft.start, end: draft.end, distance, window: windowSeconds, minDuration } : null,
    errors,
  };
}

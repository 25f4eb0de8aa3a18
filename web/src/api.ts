// Typed client of the UdaConnect REST API. Every failure is either a
// NetworkError (the API could not be reached) or an ApiError (it answered
// with an RFC 9457 problem document, or at least an error status).

import type { components, operations, paths } from './api-schema';

// Every shape the API sends or takes comes from src/api-schema.ts, which is
// generated from docs/openapi.yaml (`npm run generate:api`), so a change to
// the API that the page does not follow fails the type check. Below are the
// page's names for the shapes it uses, and ways to look them up by operation.
type Schemas = components['schemas'];
export type Person = Schemas['PersonJson'];
export type NewPerson = Schemas['NewPersonJson'];
export type Meeting = Schemas['MeetingJson'];
export type Contact = Schemas['ContactJson'];
export type ContactsPage = Schemas['ContactsPageJson'];
export type Event = Schemas['EventJson'];
export type FloorPlan = Schemas['FloorPlanJson'];
export type Area = Schemas['AreaFeatureJson'];
export type Attendance = Schemas['AttendanceJson'];
export type Booth = Schemas['BoothJson'];
export type SharedWith = Schemas['SharedWithJson'];
export type SharedPage = Schemas['SharedPageJson'];
export type EventStatistics = Schemas['EventStatisticsJson'];
export type PresentationCount = Schemas['PresentationCountJson'];
export type BoothHour = Schemas['BoothHourJson'];
export type PresentationAttendees = Schemas['PresentationAttendeesJson'];
export type AreaVisitors = Schemas['AreaVisitorsJson'];
export type Session = Schemas['SessionJson'];
export type Credential = Schemas['CredentialJson'];
export type EnrollmentCode = Schemas['EnrollmentCodeJson'];
export type Privacy = Schemas['PrivacyJson'];
type Problem = Schemas['Problem'];

/** The query parameters of an operation, named as the API names them. */
type Query<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;
export type ContactsQuery = Query<'find_contacts'>;
export type ConnectionsQuery = Query<'find_connections'>;
export type SharedQuery = Query<'find_shared'>;

/**
 * The JSON body (GeoJSON included) operation `Op` answers with on success,
 * `Status`; `unknown` (which no caller can use unchecked) if that answer is
 * not JSON.
 */
type Answer<Op extends keyof operations, Status extends keyof operations[Op]['responses']> =
  operations[Op]['responses'][Status] extends { content: { 'application/json': infer Body } }
    ? Body
    : operations[Op]['responses'][Status] extends { content: { 'application/geo+json': infer Body } }
      ? Body
      : unknown;

/**
 * What the page could read of an error answer: the API's problem document,
 * or only the status when something else (a proxy, say) answered.
 */
type ProblemRead = Pick<Problem, 'status'> & Partial<Pick<Problem, 'title' | 'detail' | 'field'>>;

/** The API answered with an error status. */
export class ApiError extends Error {
  readonly status: number;
  readonly field?: string;
  readonly detail: string;

  constructor(problem: ProblemRead) {
    const detail = problem.detail ?? problem.title ?? `HTTP ${problem.status}`;
    super(detail);
    this.name = 'ApiError';
    this.status = problem.status;
    this.field = problem.field ?? undefined;
    this.detail = detail;
  }
}

/** The API could not be reached at all (down, wrong URL, CORS refused). */
export class NetworkError extends Error {
  readonly apiUrl: string;

  constructor(apiUrl: string, cause: unknown) {
    super(`Cannot reach the UdaConnect API at ${apiUrl}`, { cause });
    this.name = 'NetworkError';
    this.apiUrl = apiUrl;
  }
}

/** What to tell the user about a failed request. */
export function failureMessage(failure: unknown): string {
  return failure instanceof ApiError || failure instanceof NetworkError ? failure.message : String(failure);
}

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

export class ApiClient {
  readonly baseUrl: string;
  /** The bearer token sent with every request, once signed in. */
  private token: string | null;
  /** Told when the API no longer takes the token (expired, revoked). */
  onSignedOut: () => void = () => {};

  constructor(baseUrl: string, token: string | null = null) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.token = token;
  }

  /** Who the token belongs to; an ApiError with status 401 if nobody. */
  session(signal?: AbortSignal): Promise<Answer<'get_session', 200>> {
    return this.request(route('/api/session'), { signal });
  }

  /** Exchanges a one-time code for an attendee's token for this page. */
  redeemCode(code: string, signal?: AbortSignal): Promise<Answer<'redeem_enrollment', 201>> {
    return this.request(route('/api/enrollments'), {
      method: 'POST',
      body: { code, enrollment: 'web' },
      signal,
    });
  }

  /** A one-time code for the person to sign in with (the organizer's). */
  createEnrollmentCode(personId: number, signal?: AbortSignal): Promise<Answer<'create_enrollment_code', 201>> {
    const path = route('/api/persons/{person_id}/enrollment-codes', { person_id: personId });
    return this.request(path, { method: 'POST', signal });
  }

  listPersons(signal?: AbortSignal): Promise<Answer<'list_persons', 200>> {
    return this.request(route('/api/persons'), { signal });
  }

  getPerson(id: number, signal?: AbortSignal): Promise<Answer<'get_person', 200>> {
    return this.request(route('/api/persons/{person_id}', { person_id: id }), { signal });
  }

  createPerson(person: NewPerson, signal?: AbortSignal): Promise<Answer<'create_person', 201>> {
    return this.request(route('/api/persons'), { method: 'POST', body: person, signal });
  }

  contacts(personId: number, query: ContactsQuery, signal?: AbortSignal): Promise<Answer<'find_contacts', 200>> {
    const path = route('/api/persons/{person_id}/contacts', { person_id: personId });
    return this.request(`${path}?${searchParams(query)}`, { signal });
  }

  connections(
    personId: number,
    query: ConnectionsQuery,
    signal?: AbortSignal,
  ): Promise<Answer<'find_connections', 200>> {
    const path = route('/api/persons/{person_id}/connection', { person_id: personId });
    return this.request(`${path}?${searchParams(query)}`, { signal });
  }

  /** Every event, the latest start first. */
  listEvents(signal?: AbortSignal): Promise<Answer<'list_events', 200>> {
    return this.request(route('/api/events'), { signal });
  }

  /** The event's floor plan, GeoJSON. */
  areas(eventId: number, signal?: AbortSignal): Promise<Answer<'list_areas', 200>> {
    const path = route('/api/events/{event_id}/areas', { event_id: eventId });
    return this.request(path, { signal, accept: 'application/geo+json' });
  }

  statistics(eventId: number, signal?: AbortSignal): Promise<Answer<'get_statistics', 200>> {
    return this.request(route('/api/events/{event_id}/statistics', { event_id: eventId }), { signal });
  }

  /** Who attended a presentation, longest present first. */
  presentationAttendees(presentationId: number, signal?: AbortSignal): Promise<PresentationAttendees> {
    const path = route('/api/presentations/{presentation_id}/attendees', { presentation_id: presentationId });
    return this.request(path, { signal });
  }

  /** Everyone seen in a booth or room, longest dwell first. */
  areaVisitors(areaId: number, signal?: AbortSignal): Promise<AreaVisitors> {
    return this.request(route('/api/areas/{area_id}/visitors', { area_id: areaId }), { signal });
  }

  attendance(personId: number, eventId: number, signal?: AbortSignal): Promise<Answer<'get_attendance', 200>> {
    const path = route('/api/persons/{person_id}/attendance', { person_id: personId });
    return this.request(`${path}?${searchParams({ event: eventId })}`, { signal });
  }

  shared(personId: number, query: SharedQuery, signal?: AbortSignal): Promise<Answer<'find_shared', 200>> {
    const path = route('/api/persons/{person_id}/shared', { person_id: personId });
    return this.request(`${path}?${searchParams(query)}`, { signal });
  }

  /** The person's choices: whether others see them, whether their location is paused. */
  privacy(personId: number, signal?: AbortSignal): Promise<Answer<'get_privacy', 200>> {
    return this.request(route('/api/persons/{person_id}/privacy', { person_id: personId }), { signal });
  }

  /** Records the person's choices (theirs alone to make). */
  setPrivacy(personId: number, privacy: Privacy, signal?: AbortSignal): Promise<Answer<'set_privacy', 200>> {
    const path = route('/api/persons/{person_id}/privacy', { person_id: personId });
    return this.request(path, { method: 'PUT', body: privacy, signal });
  }

  /** Erases the person from every service; answered once the erasure is queued. */
  erasePerson(personId: number, signal?: AbortSignal): Promise<Answer<'erase_person', 202>> {
    return this.request(route('/api/persons/{person_id}', { person_id: personId }), { method: 'DELETE', signal });
  }

  /** Everything stored about the person, as the JSON file the API hands out. */
  async exportData(personId: number, signal?: AbortSignal): Promise<Blob> {
    const path = route('/api/persons/{person_id}/export', { person_id: personId });
    return (await this.send(path, { signal })).blob();
  }

  private async request<T>(
    path: string,
    options: { method?: string; body?: unknown; signal?: AbortSignal; accept?: string },
  ): Promise<T> {
    return (await (await this.send(path, options)).json()) as T;
  }

  /** The API's answer, once it is a success; an ApiError or NetworkError otherwise. */
  private async send(
    path: string,
    {
      method = 'GET',
      body,
      signal,
      accept = 'application/json',
    }: { method?: string; body?: unknown; signal?: AbortSignal; accept?: string },
  ): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token !== null) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new NetworkError(this.baseUrl, error);
    }
    if (response.status === 401 && this.token !== null) this.onSignedOut();
    if (!response.ok) throw new ApiError(await readProblem(response));
    return response;
  }
}

/**
 * `template`, a path the API documents (so that a renamed route or parameter
 * fails the type check), with its `{name}` parameters filled in from `values`.
 */
function route(template: keyof paths, values: Record<string, number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in values)) throw new TypeError(`no value for {${name}} in ${template}`);
    return encodeURIComponent(values[name]);
  });
}

/** Query parameters as a query string, leaving out those not given. */
function searchParams(query: Record<string, string | number | undefined>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) params.set(name, String(value));
  }
  return params;
}

/** The problem document of an error response, or a stand-in built from its status. */
async function readProblem(response: Response): Promise<ProblemRead> {
  const fallback: ProblemRead = { status: response.status, title: response.statusText || undefined };
  try {
    const body: unknown = await response.json();
    if (body && typeof body === 'object') {
      const { title, detail, field } = body as Record<string, unknown>;
      return {
        ...fallback,
        title: typeof title === 'string' ? title : fallback.title,
        detail: typeof detail === 'string' ? detail : undefined,
        field: typeof field === 'string' ? field : undefined,
      };
    }
  } catch {
    // Not JSON (a proxy's error page, say): the status alone has to do.
  }
  return fallback;
}

/**
 * The API's base URL: `/config.json`'s `api_url` (set by the `web` service at
 * run time), else the page's own host on the API's usual port.
 */
export async function resolveApiUrl(): Promise<string> {
  const fallback = `${location.protocol}//${location.hostname}:30001`;
  try {
    const response = await fetch('/config.json', { cache: 'no-store', signal: AbortSignal.timeout(5000) });
    if (!response.ok) return fallback;
    const config: unknown = await response.json();
    const apiUrl = (config as { api_url?: unknown } | null)?.api_url;
    return typeof apiUrl === 'string' && apiUrl.trim() !== '' ? apiUrl.trim() : fallback;
  } catch {
    return fallback;
  }
}

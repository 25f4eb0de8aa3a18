// Typed client of the UdaConnect REST API. Every failure is either a
// NetworkError (the API could not be reached) or an ApiError (it answered
// with an RFC 9457 problem document, or at least an error status).

export interface Person {
  id: number;
  first_name: string;
  last_name: string;
  company_name: string;
}

export type NewPerson = Omit<Person, 'id'>;

export interface Meeting {
  start: string;
  end: string;
  duration_seconds: number;
  latitude: number;
  longitude: number;
  closest_meters: number;
  encounters: number;
}

export interface Contact {
  person: Person;
  meeting_count: number;
  total_seconds: number;
  first_met: string;
  last_met: string;
  meetings: Meeting[];
}

export interface ContactsPage {
  contacts: Contact[];
  next_cursor?: string | null;
  distance: number;
  window_seconds: number;
  min_duration_seconds: number;
}

/** A ping as the proof of concept's `connection` route shows it. */
export interface Location {
  id: number;
  person_id: number;
  /** Decimal string. */
  longitude: string;
  /** Decimal string. */
  latitude: string;
  /** Naive date-time, UTC. */
  creation_time: string;
}

export interface Connection {
  location: Location;
  person: Person;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  field?: string;
}

export interface ContactsQuery {
  /** `YYYY-MM-DD` or an ISO-8601 date-time. */
  start: string;
  /** `YYYY-MM-DD` (the whole day included) or an ISO-8601 date-time. */
  end: string;
  distance: number;
  windowSeconds: number;
  minDurationSeconds: number;
  /** Where the previous page ended (its `next_cursor`). */
  cursor?: string;
}

export interface ConnectionsQuery {
  startDate: string;
  /** Exclusive, as in the proof of concept. */
  endDate: string;
  distance: number;
}

/** The API answered with an error status. */
export class ApiError extends Error {
  readonly status: number;
  readonly field?: string;
  readonly detail: string;

  constructor(problem: Problem) {
    const detail = problem.detail ?? problem.title ?? `HTTP ${problem.status}`;
    super(detail);
    this.name = 'ApiError';
    this.status = problem.status;
    this.field = problem.field;
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

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

export class ApiClient {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  listPersons(signal?: AbortSignal): Promise<Person[]> {
    return this.request('/api/persons', { signal });
  }

  getPerson(id: number, signal?: AbortSignal): Promise<Person> {
    return this.request(`/api/persons/${id}`, { signal });
  }

  createPerson(person: NewPerson, signal?: AbortSignal): Promise<Person> {
    return this.request('/api/persons', { method: 'POST', body: person, signal });
  }

  contacts(personId: number, query: ContactsQuery, signal?: AbortSignal): Promise<ContactsPage> {
    const params = new URLSearchParams({
      start: query.start,
      end: query.end,
      distance: String(query.distance),
      window: String(query.windowSeconds),
      min_duration: String(query.minDurationSeconds),
    });
    if (query.cursor) params.set('cursor', query.cursor);
    return this.request(`/api/persons/${personId}/contacts?${params}`, { signal });
  }

  connections(personId: number, query: ConnectionsQuery, signal?: AbortSignal): Promise<Connection[]> {
    const params = new URLSearchParams({
      start_date: query.startDate,
      end_date: query.endDate,
      distance: String(query.distance),
    });
    return this.request(`/api/persons/${personId}/connection?${params}`, { signal });
  }

  private async request<T>(
    path: string,
    { method = 'GET', body, signal }: { method?: string; body?: unknown; signal?: AbortSignal },
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
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
    if (!response.ok) throw new ApiError(await readProblem(response));
    return (await response.json()) as T;
  }
}

/** The problem document of an error response, or a stand-in built from its status. */
async function readProblem(response: Response): Promise<Problem> {
  const fallback: Problem = { status: response.status, title: response.statusText || undefined };
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

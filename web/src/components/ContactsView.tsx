import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiClient, isAbortError, type Contact, type ContactsPage, type ContactsQuery } from '../api';
import { formatDate, formatDuration, formatMeters, plural } from '../format';
import type { Settings } from '../url';
import { useFieldProblem, useRequest, type FieldProblem } from '../useRequest';
import { ContactItem } from './ContactItem';
import { MeetingMap } from './MeetingMap';
import { ErrorNotice, Loading } from './Status';

interface ContactsViewProps {
  api: ApiClient;
  personId: number;
  settings: Settings;
  onFieldProblem: (problem: FieldProblem | null) => void;
}

/** Pages fetched with "Load more", after the first. */
interface MorePages {
  key: string;
  contacts: Contact[];
  nextCursor: string | null;
  loading: boolean;
  error: unknown;
}

/** Whom the person met in the period, ranked by time together, with a plot of where. */
export function ContactsView({ api, personId, settings, onFieldProblem }: ContactsViewProps) {
  const key = JSON.stringify([personId, settings]);
  const query: ContactsQuery = {
    start: settings.start,
    end: settings.end,
    distance: settings.distance,
    // Whole seconds; the API also takes ISO-8601 durations here.
    window: String(settings.window),
    min_duration: String(settings.minDuration),
  };
  const first = useRequest((signal) => api.contacts(personId, query, signal), key);
  useFieldProblem(first.state, onFieldProblem);

  const [storedMore, setMore] = useState<MorePages | null>(null);
  const more = storedMore?.key === key ? storedMore : null;
  const moreRequest = useRef<AbortController | null>(null);
  useEffect(() => () => moreRequest.current?.abort(), [key]);

  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const [hovered, setHovered] = useState<number | null>(null);

  const page: ContactsPage | null = first.state.status === 'ready' ? first.state.data : null;
  const contacts = useMemo(
    () => (page ? [...page.contacts, ...(more?.contacts ?? [])] : []),
    [page, more?.contacts],
  );
  const nextCursor = more ? more.nextCursor : (page?.next_cursor ?? null);

  const loadMore = async () => {
    if (!nextCursor) return;
    const controller = new AbortController();
    moreRequest.current = controller;
    const done = more?.contacts ?? [];
    setMore({ key, contacts: done, nextCursor, loading: true, error: null });
    try {
      const next = await api.contacts(personId, { ...query, cursor: nextCursor }, controller.signal);
      setMore({ key, contacts: [...done, ...next.contacts], nextCursor: next.next_cursor ?? null, loading: false, error: null });
    } catch (error) {
      if (!isAbortError(error)) setMore({ key, contacts: done, nextCursor, loading: false, error });
    }
  };

  const toggle = (id: number) => {
    const next = new Set(expanded);
    if (!next.delete(id)) next.add(id);
    setExpanded(next);
  };
  // Hovering a contact or a point singles out that contact; otherwise the expanded ones stand out.
  const highlighted = useMemo(() => (hovered === null ? expanded : new Set([hovered])), [hovered, expanded]);

  const period = `${formatDate(settings.start)} and ${formatDate(settings.end)}`;
  let body;
  if (first.state.status === 'loading') {
    body = <Loading>Loading contacts…</Loading>;
  } else if (first.state.status === 'error') {
    body = <ErrorNotice error={first.state.error} notFound={`No person with id ${personId}`} onRetry={first.retry} />;
  } else if (contacts.length === 0) {
    body = (
      <div className="empty">
        <p className="empty-title">No contacts between {period}.</p>
        <p className="muted">Try a wider period or a larger distance above.</p>
      </div>
    );
  } else {
    const used = first.state.data;
    body = (
      <>
        <p className="summary">
          Met {plural(contacts.length, 'person', 'people')}
          {nextCursor ? ' so far' : ''} between {period}, within {formatMeters(used.distance)} and{' '}
          {formatDuration(used.window_seconds)} of each other
          {used.min_duration_seconds > 0 ? `, for at least ${formatDuration(used.min_duration_seconds)}` : ''}. Ranked
          by time together.
        </p>
        <div className="contacts-layout">
          <div>
            <ol className="contact-list">
              {contacts.map((contact, index) => (
                <ContactItem
                  key={contact.person.id}
                  contact={contact}
                  rank={index + 1}
                  expanded={expanded.has(contact.person.id)}
                  highlighted={highlighted.has(contact.person.id)}
                  onToggle={() => toggle(contact.person.id)}
                  onHover={setHovered}
                />
              ))}
            </ol>
            {more?.error != null && <ErrorNotice error={more.error} onRetry={loadMore} />}
            {nextCursor && (
              <button type="button" className="button load-more" onClick={loadMore} disabled={more?.loading}>
                {more?.loading ? 'Loading…' : 'Load more'}
              </button>
            )}
          </div>
          <MeetingMap contacts={contacts} highlighted={highlighted} onHighlight={setHovered} />
        </div>
      </>
    );
  }
  return (
    <div className="contacts" aria-busy={first.state.status === 'loading' || more?.loading === true}>
      {body}
    </div>
  );
}

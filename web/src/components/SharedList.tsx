import { useEffect, useId, useRef, useState } from 'react';
import { isAbortError, type ApiClient, type SharedPage, type SharedWith } from '../api';
import { formatClock, formatDuration, fullName, plural } from '../format';
import { useRequest } from '../useRequest';
import { ErrorNotice, Loading } from './Status';

interface SharedListProps {
  api: ApiClient;
  eventId: number;
  timeZone: string;
  personId: number;
  /** The entry whose shared areas the plan shows, by person id. */
  selected: number | null;
  onSelect: (entry: SharedWith | null) => void;
}

/** Pages fetched with "Load more", after the first. */
interface MorePages {
  key: string;
  entries: SharedWith[];
  nextCursor: string | null;
  loading: boolean;
  error: unknown;
}

/** The other attendees ranked by what they share with the person, as the API ranks them. */
export function SharedList({ api, eventId, timeZone, personId, selected, onSelect }: SharedListProps) {
  const id = useId();
  const key = `${personId}/${eventId}`;
  const first = useRequest((signal) => api.shared(personId, { event: eventId }, signal), key);
  const [storedMore, setMore] = useState<MorePages | null>(null);
  const more = storedMore?.key === key ? storedMore : null;
  const moreRequest = useRef<AbortController | null>(null);
  useEffect(() => () => moreRequest.current?.abort(), [key]);

  const page: SharedPage | null = first.state.status === 'ready' ? first.state.data : null;
  const entries = page ? [...page.shared, ...(more?.entries ?? [])] : [];
  const nextCursor = more ? more.nextCursor : (page?.next_cursor ?? null);

  const loadMore = async () => {
    if (!nextCursor) return;
    const controller = new AbortController();
    moreRequest.current = controller;
    const done = more?.entries ?? [];
    setMore({ key, entries: done, nextCursor, loading: true, error: null });
    try {
      const next = await api.shared(personId, { event: eventId, cursor: nextCursor }, controller.signal);
      const entries = [...done, ...next.shared];
      setMore({ key, entries, nextCursor: next.next_cursor ?? null, loading: false, error: null });
    } catch (error) {
      if (!isAbortError(error)) setMore({ key, entries: done, nextCursor, loading: false, error });
    }
  };

  let body;
  if (first.state.status === 'loading') {
    body = <Loading>Loading the people shared with…</Loading>;
  } else if (first.state.status === 'error') {
    body = <ErrorNotice error={first.state.error} onRetry={first.retry} />;
  } else if (entries.length === 0) {
    body = <p className="empty">No one attended a presentation or visited a booth with this person at the event.</p>;
  } else {
    body = (
      <>
        <ol className="shared-list">
          {entries.map((entry, index) => (
            <SharedItem
              key={entry.person.id}
              entry={entry}
              rank={index + 1}
              timeZone={timeZone}
              selected={entry.person.id === selected}
              onToggle={() => onSelect(entry.person.id === selected ? null : entry)}
            />
          ))}
        </ol>
        {more?.error != null && <ErrorNotice error={more.error} onRetry={loadMore} />}
        {nextCursor && (
          <button type="button" className="button load-more" onClick={loadMore} disabled={more?.loading}>
            {more?.loading ? 'Loading…' : 'Load more'}
          </button>
        )}
      </>
    );
  }
  return (
    <section
      className="shared"
      aria-labelledby={`${id}-heading`}
      aria-busy={first.state.status === 'loading' || more?.loading === true}
    >
      <h4 id={`${id}-heading`}>People you share the most with</h4>
      <p className="muted shared-rule">
        Ranked by 3 points per presentation both attended and 2 per booth both visited; meetings are listed.
      </p>
      {body}
    </section>
  );
}

interface SharedItemProps {
  entry: SharedWith;
  rank: number;
  timeZone: string;
  selected: boolean;
  onToggle: () => void;
}

function SharedItem({ entry, rank, timeZone, selected, onToggle }: SharedItemProps) {
  const { person, score, presentations, booths, meetings } = entry;
  const name = fullName(person);
  const together = meetings.reduce((sum, m) => sum + m.duration_seconds, 0);
  return (
    <li className={selected ? 'shared-item is-selected' : 'shared-item'} data-testid={`shared-${person.id}`}>
      <div className="shared-head">
        <span className="rank" aria-hidden="true">
          {rank}
        </span>
        <div>
          <h5 className="shared-name">{name}</h5>
          <p className="contact-company">{person.company_name}</p>
        </div>
        <p className="score" title="3 per presentation and 2 per booth attended together">
          <span className="score-value">{score}</span> {score === 1 ? 'point' : 'points'}
        </p>
      </div>
      <dl className="shared-what">
        {presentations.length > 0 && (
          <div>
            <dt>{plural(presentations.length, 'presentation')}</dt>
            <dd>
              <ul className="shared-things">
                {presentations.map((p) => (
                  <li key={p.id}>
                    {p.title} <span className="muted">({p.room}, {formatClock(p.start, { timeZone })})</span>
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
        {booths.length > 0 && (
          <div>
            <dt>{plural(booths.length, 'booth')}</dt>
            <dd>
              <ul className="shared-things">
                {booths.map((b) => (
                  <li key={b.id}>
                    {b.name}
                    {b.exhibitor && <span className="muted"> ({b.exhibitor})</span>}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
        <div>
          <dt>Meetings</dt>
          <dd>{meetings.length === 0 ? 'none' : `${meetings.length} (${formatDuration(together)} together)`}</dd>
        </div>
      </dl>
      <button type="button" className="button button-quiet show-on-plan" aria-pressed={selected} onClick={onToggle}>
        Show on the plan <span className="visually-hidden">what you share with {name}</span>
      </button>
    </li>
  );
}

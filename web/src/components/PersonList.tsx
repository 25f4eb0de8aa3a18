import { useId, useState, type MouseEvent } from 'react';
import type { Person } from '../api';
import { fullName } from '../format';
import type { RequestState } from '../useRequest';
import { ErrorNotice, Loading } from './Status';

interface PersonListProps {
  persons: RequestState<Person[]>;
  onRetry: () => void;
  selectedId: number | null;
  /** The shareable address of a person's view. */
  hrefFor: (id: number) => string;
  onSelect: (id: number) => void;
}

/** Lower case without accents, so "jose" finds "José". */
function normalise(text: string): string {
  return text.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
}

/** Whether every word of the query is in the person's name or company. */
function matches(person: Person, query: string): boolean {
  const haystack = normalise(`${fullName(person)} ${person.company_name}`);
  return normalise(query)
    .split(/\s+/)
    .every((word) => haystack.includes(word));
}

export function PersonList({ persons, onRetry, selectedId, hrefFor, onSelect }: PersonListProps) {
  const [query, setQuery] = useState('');
  const searchId = useId();

  // Links, so a view can be opened in a new tab; a plain click stays on the page.
  const select = (event: MouseEvent, id: number) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    onSelect(id);
  };

  let body;
  if (persons.status === 'loading') {
    body = <Loading />;
  } else if (persons.status === 'error') {
    body = <ErrorNotice error={persons.error} onRetry={onRetry} />;
  } else {
    const shown = persons.data.filter((p) => matches(p, query));
    body = (
      <>
        <p className="muted count" aria-live="polite">
          {shown.length === persons.data.length
            ? `${persons.data.length} ${persons.data.length === 1 ? 'person' : 'people'}`
            : `${shown.length} of ${persons.data.length} people`}
        </p>
        {shown.length === 0 ? (
          <p className="empty">{persons.data.length === 0 ? 'No one has been added yet.' : `No one matches “${query.trim()}”.`}</p>
        ) : (
          <ul className="person-list">
            {shown.map((person) => (
              <li key={person.id} data-testid={`person-${person.id}`}>
                <a
                  href={hrefFor(person.id)}
                  className="person-link"
                  aria-current={person.id === selectedId ? 'page' : undefined}
                  onClick={(event) => select(event, person.id)}
                >
                  <span className="person-name">{fullName(person)}</span>
                  <span className="person-company">{person.company_name}</span>
                </a>
              </li>
            ))}
          </ul>
        )}
      </>
    );
  }

  return (
    <section className="people" aria-labelledby="people-heading" aria-busy={persons.status === 'loading'}>
      <h2 id="people-heading">People</h2>
      <div className="field">
        <label htmlFor={searchId}>Search by name or company</label>
        <input
          id={searchId}
          type="search"
          value={query}
          autoComplete="off"
          onChange={(event) => setQuery(event.target.value)}
        />
      </div>
      {body}
    </section>
  );
}

import { useState } from 'react';
import type { ApiClient, Booth, EventStatistics } from '../api';
import { displayLocales, fullName } from '../format';
import { useRequest } from '../useRequest';
import { ErrorNotice, Loading } from './Status';

/** What the organizer chose to look into: a presentation or a booth, by id. */
type Choice = { kind: 'presentation' | 'booth'; id: number };

const encode = (choice: Choice | null) => (choice ? `${choice.kind}:${choice.id}` : '');

function decode(value: string): Choice | null {
  const [kind, id] = value.split(':');
  return kind === 'presentation' || kind === 'booth' ? { kind, id: Number(id) } : null;
}

/** One person in the answer, as the list shows them. */
interface Row {
  id: number;
  name: string;
  company: string;
  minutes: number;
  /** Seen in the booth, but never long enough for a visit. */
  passedBy: boolean;
}

/**
 * For the organizer: who attended one presentation, or who visited one
 * booth, with their minutes there, to follow up with the people behind the
 * figures above it.
 */
export function WhoWasThere({ api, statistics }: { api: ApiClient; statistics: EventStatistics }) {
  const [choice, setChoice] = useState<Choice | null>(null);
  const booths = [...new Map(statistics.booth_traffic.map(({ booth }) => [booth.id, booth])).values()].sort(
    (a: Booth, b: Booth) => a.name.localeCompare(b.name, displayLocales()) || a.id - b.id,
  );
  const answer = useRequest(async (signal): Promise<{ label: string; rows: Row[] } | null> => {
    if (!choice) return null;
    if (choice.kind === 'presentation') {
      const { presentation, attendees } = await api.presentationAttendees(choice.id, signal);
      return {
        label: `Attendees of ${presentation.title}`,
        rows: attendees.map(({ person, minutes_present }) => ({
          id: person.id,
          name: fullName(person),
          company: person.company_name,
          minutes: minutes_present,
          passedBy: false,
        })),
      };
    }
    const { area, visitors } = await api.areaVisitors(choice.id, signal);
    return {
      label: `Visitors of ${area.properties.name}`,
      rows: visitors.map(({ person, minutes_present, counted }) => ({
        id: person.id,
        name: fullName(person),
        company: person.company_name,
        minutes: minutes_present,
        passedBy: !counted,
      })),
    };
  }, encode(choice));

  const { state } = answer;
  let body = null;
  if (!choice) {
    body = null;
  } else if (state.status === 'loading') {
    body = <Loading>Loading who was there…</Loading>;
  } else if (state.status === 'error') {
    body = <ErrorNotice error={state.error} notFound="It is no longer part of the event." onRetry={answer.retry} />;
  } else if (state.data) {
    const { label, rows } = state.data;
    body =
      rows.length === 0 ? (
        <p className="empty">No one yet.</p>
      ) : (
        <ol className="who-list" aria-label={label}>
          {rows.map((row) => (
            <li key={row.id} data-testid={`who-${row.id}`}>
              <span className="who-name">{row.name}</span> <span className="muted">{row.company}</span>{' '}
              <span className="who-minutes">
                {Math.round(row.minutes)} min{row.passedBy && ', passed by'}
              </span>
            </li>
          ))}
        </ol>
      );
  }

  return (
    <section className="organizer-section" aria-labelledby="who-heading">
      <h3 id="who-heading">Who was there</h3>
      <label className="who-choice">
        Presentation or booth{' '}
        <select value={encode(choice)} onChange={(change) => setChoice(decode(change.target.value))}>
          <option value="">Choose one…</option>
          <optgroup label="Presentations">
            {statistics.presentations.map(({ presentation }) => (
              <option key={presentation.id} value={encode({ kind: 'presentation', id: presentation.id })}>
                {presentation.title}
              </option>
            ))}
          </optgroup>
          <optgroup label="Booths">
            {booths.map((booth) => (
              <option key={booth.id} value={encode({ kind: 'booth', id: booth.id })}>
                {booth.name}
              </option>
            ))}
          </optgroup>
        </select>
      </label>
      {body}
    </section>
  );
}

import { useState } from 'react';
import type { ApiClient } from '../api';
import { formatDate, formatDateTime, formatMeters, formatUtc, fullName, plural } from '../format';
import { addDays, type Settings, type SettingsField } from '../url';
import { useFieldProblem, useRequest, type FieldProblem } from '../useRequest';
import { ErrorNotice, Loading } from './Status';

/** Rows drawn in the table; the raw JSON below it has them all. */
const MAX_ROWS = 500;

const FIELD_NAMES: Record<string, SettingsField> = { start_date: 'start', end_date: 'end', distance: 'distance' };
const renameField = (field: string) => FIELD_NAMES[field] ?? field;

interface ConnectionsViewProps {
  api: ApiClient;
  personId: number;
  settings: Pick<Settings, 'start' | 'end' | 'distance'>;
  onFieldProblem: (problem: FieldProblem | null) => void;
}

/**
 * The proof of concept's `connection` route, as it answers: every ping of
 * anyone near one of the person's pings at any time in the period.
 */
export function ConnectionsView({ api, personId, settings, onFieldProblem }: ConnectionsViewProps) {
  const { start, end, distance } = settings;
  const request = useRequest(
    // The route's end date is exclusive; the page's end date is included.
    (signal) => api.connections(personId, { start_date: start, end_date: addDays(end, 1), distance }, signal),
    JSON.stringify([personId, start, end, distance]),
  );
  useFieldProblem(request.state, onFieldProblem, renameField);
  const [showJson, setShowJson] = useState(false);

  const { state } = request;
  let body;
  if (state.status === 'loading') {
    body = <Loading>Loading connections…</Loading>;
  } else if (state.status === 'error') {
    body = <ErrorNotice error={state.error} notFound={`No person with id ${personId}`} onRetry={request.retry} />;
  } else {
    const connections = state.data;
    const period = `${formatDate(start)} and ${formatDate(end)}`;
    body = (
      <>
        <p className="summary">
          {plural(connections.length, 'connection')} between {period} within {formatMeters(distance)}.
        </p>
        {connections.length > 0 && (
          <div className="table-scroll">
            <table className="connections-table">
              <caption className="visually-hidden">Pings of other people near this person's pings</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Person</th>
                  <th scope="col">Latitude</th>
                  <th scope="col">Longitude</th>
                </tr>
              </thead>
              <tbody>
                {connections.slice(0, MAX_ROWS).map(({ location, person }, index) => (
                  <tr key={index}>
                    <td>
                      <time dateTime={location.creation_time} title={formatUtc(location.creation_time)}>
                        {formatDateTime(location.creation_time)}
                      </time>
                    </td>
                    <td>
                      {fullName(person)}
                      <span className="cell-detail">{person.company_name}</span>
                    </td>
                    <td className="numeric">{location.latitude}</td>
                    <td className="numeric">{location.longitude}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {connections.length > MAX_ROWS && (
          <p className="muted">
            Showing the first {MAX_ROWS} of {connections.length}; the raw JSON below has them all.
          </p>
        )}
        <details className="raw-json" onToggle={(event) => setShowJson(event.currentTarget.open)}>
          <summary>Raw JSON</summary>
          {/* Drawn only when opened: a long answer makes a heavy block of text. */}
          {showJson && <pre>{JSON.stringify(connections, null, 2)}</pre>}
        </details>
      </>
    );
  }
  return (
    <div className="connections" aria-busy={state.status === 'loading'}>
      {body}
    </div>
  );
}

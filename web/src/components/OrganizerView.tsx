import type { ApiClient, Event } from '../api';
import { formatTimeRange } from '../format';
import { useRequest } from '../useRequest';
import { AttendanceChart } from './AttendanceChart';
import { ErrorNotice, Loading } from './Status';
import { TrafficChart } from './TrafficChart';
import { WhoWasThere } from './WhoWasThere';

/** The organizer's figures of an event: attendance per presentation and booth traffic per hour. */
export function OrganizerView({ api, event }: { api: ApiClient; event: Event }) {
  const statistics = useRequest((signal) => api.statistics(event.id, signal), String(event.id));
  const { state } = statistics;
  let body;
  if (state.status === 'loading') {
    body = <Loading>Loading the figures…</Loading>;
  } else if (state.status === 'error') {
    body = <ErrorNotice error={state.error} notFound="This event no longer exists." onRetry={statistics.retry} />;
  } else {
    body = (
      <>
        <section className="organizer-section" aria-labelledby="attendance-chart-heading">
          <h3 id="attendance-chart-heading">Attendees per presentation</h3>
          <AttendanceChart presentations={state.data.presentations} timeZone={event.time_zone} />
        </section>
        <section className="organizer-section" aria-labelledby="traffic-chart-heading">
          <h3 id="traffic-chart-heading">Booth traffic per hour</h3>
          <TrafficChart traffic={state.data.booth_traffic} event={event} />
        </section>
        <WhoWasThere api={api} statistics={state.data} />
      </>
    );
  }
  return (
    <article className="organizer" aria-labelledby="organizer-heading" aria-busy={state.status === 'loading'}>
      <header className="person-header">
        <h2 id="organizer-heading">{event.name}: the organizer&rsquo;s figures</h2>
        <p className="muted">
          {formatTimeRange(event.start, event.end, { timeZone: event.time_zone })} ({event.time_zone})
        </p>
      </header>
      {body}
    </article>
  );
}

import type { Event } from '../api';
import { PlanPanel, type PlanRequest } from './PlanPanel';

const NO_HIGHLIGHTS = { attendee: null, shared: null, focused: null };

/** The event before anyone is chosen: its floor plan. */
export function EventOverview({ event, plan }: { event: Event; plan: PlanRequest }) {
  return (
    <article className="event-overview" aria-labelledby="event-overview-heading">
      <header className="person-header">
        <h2 id="event-overview-heading">{event.name}</h2>
        <p className="muted">
          Choose a person to see the presentations they attended, the booths they visited and the people they share the
          most with.
        </p>
      </header>
      <PlanPanel plan={plan} eventName={event.name} highlights={NO_HIGHLIGHTS} />
    </article>
  );
}

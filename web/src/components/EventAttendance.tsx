import { useId, useMemo, useRef, useState } from 'react';
import type { ApiClient, Area, Event, Person, SharedWith } from '../api';
import { fullName, plural } from '../format';
import { useRequest } from '../useRequest';
import type { PlanHighlights } from './FloorPlan';
import { PlanPanel, type PlanRequest } from './PlanPanel';
import { SharedList } from './SharedList';
import { ErrorNotice, Loading } from './Status';
import { Timeline } from './Timeline';

interface EventAttendanceProps {
  api: ApiClient;
  event: Event;
  plan: PlanRequest;
  person: Person;
}

/** The areas named in what two people share: rooms (by name, unique in an event) and booths. */
function sharedAreas(entry: SharedWith, areas: readonly Area[]): Set<number> {
  const rooms = new Set(entry.presentations.map((p) => p.room));
  return new Set([
    ...areas.filter((a) => a.properties.kind === 'room' && rooms.has(a.properties.name)).map((a) => a.id),
    ...entry.booths.map((b) => b.id),
  ]);
}

/** The person at the event: their day on a timeline, the plan, and the people they share the most with. */
export function EventAttendance({ api, event, plan, person }: EventAttendanceProps) {
  const id = useId();
  const attendance = useRequest(
    (signal) => api.attendance(person.id, event.id, signal),
    `${person.id}/${event.id}`,
  );
  const [focused, setFocused] = useState<number | null>(null);
  const [sharedWith, setSharedWith] = useState<SharedWith | null>(null);
  const planRef = useRef<HTMLDivElement>(null);

  const day = attendance.state.status === 'ready' ? attendance.state.data : null;
  const areas = plan.state.status === 'ready' ? plan.state.data.features : null;
  const visited = useMemo(
    () =>
      new Set([
        ...(day?.presentations ?? []).map((p) => p.presentation.room_id),
        ...(day?.booths ?? []).map((b) => b.booth.id),
      ]),
    [day],
  );
  const shared = useMemo(
    () => sharedWith && { name: fullName(sharedWith.person), areas: sharedAreas(sharedWith, areas ?? []) },
    [sharedWith, areas],
  );
  const name = fullName(person);
  const highlights: PlanHighlights = { attendee: day && { name, areas: visited }, shared, focused };

  const select = (entry: SharedWith | null) => {
    setSharedWith(entry);
    if (entry) planRef.current?.scrollIntoView({ block: 'nearest' });
  };

  let timeline;
  if (attendance.state.status === 'loading') {
    timeline = <Loading>Loading attendance…</Loading>;
  } else if (attendance.state.status === 'error') {
    timeline = (
      <ErrorNotice error={attendance.state.error} notFound="This event no longer exists." onRetry={attendance.retry} />
    );
  } else {
    const { presentations, booths } = attendance.state.data;
    timeline = (
      <>
        <p className="summary">
          {presentations.length + booths.length === 0
            ? `${name} attended no presentation and visited no booth at this event.`
            : `${name} attended ${plural(presentations.length, 'presentation')} ` +
              `and visited ${plural(booths.length, 'booth')}.`}
        </p>
        <Timeline event={event} attendance={attendance.state.data} onHighlight={setFocused} />
      </>
    );
  }

  return (
    <section
      className="event-attendance"
      aria-labelledby={`${id}-heading`}
      aria-busy={attendance.state.status === 'loading'}
    >
      <h3 id={`${id}-heading`}>At {event.name}</h3>
      {timeline}
      <div className="event-layout">
        <div className="event-plan" ref={planRef}>
          <div className="plan-heading">
            <h4>Floor plan</h4>
            {shared && (
              <p className="plan-note">
                Showing what {name} shares with {shared.name}.{' '}
                <button type="button" className="button button-quiet" onClick={() => setSharedWith(null)}>
                  Show all
                </button>
              </p>
            )}
          </div>
          <PlanPanel plan={plan} eventName={event.name} highlights={highlights} />
        </div>
        <SharedList
          api={api}
          eventId={event.id}
          timeZone={event.time_zone}
          personId={person.id}
          selected={sharedWith?.person.id ?? null}
          onSelect={select}
        />
      </div>
    </section>
  );
}

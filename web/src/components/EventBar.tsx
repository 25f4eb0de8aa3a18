import { useId, type MouseEvent } from 'react';
import type { Event } from '../api';
import { formatDay, formatTimeRange, zoneName } from '../format';
import type { Section } from '../url';

const SECTIONS: { section: Section; label: string }[] = [
  { section: 'attendees', label: 'Attendees' },
  { section: 'organizer', label: 'Organizer' },
];

interface EventBarProps {
  /** Every event, the latest first. */
  events: Event[];
  /** The event shown; null when the address names one that does not exist. */
  selected: Event | null;
  /** The event the address names. */
  requested: number | null;
  section: Section;
  /** Whether the organizer's view is offered. */
  organizer: boolean;
  /** The shareable address of a section of the event shown. */
  hrefFor: (section: Section) => string;
  onSelect: (eventId: number) => void;
  onSection: (section: Section) => void;
}

/** Which event the page is about, when it takes place, and its views: attendees or organizer. */
export function EventBar({
  events,
  selected,
  requested,
  section,
  organizer,
  hrefFor,
  onSelect,
  onSection,
}: EventBarProps) {
  const id = useId();
  // Links, so a view can be opened in a new tab; a plain click stays on the page.
  const follow = (event: MouseEvent, target: Section) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    onSection(target);
  };
  return (
    <nav className="event-bar" aria-label="Events">
      <div className="event-picker">
        <label htmlFor={id}>Event</label>
        <select id={id} value={selected?.id ?? ''} onChange={(e) => onSelect(Number(e.target.value))}>
          {!selected && (
            <option value="" disabled>
              Choose an event
            </option>
          )}
          {events.map((event) => (
            <option key={event.id} value={event.id}>
              {event.name} ({formatDay(event.start, { timeZone: event.time_zone })})
            </option>
          ))}
        </select>
      </div>
      {selected ? (
        <>
          <p className="event-when">
            {formatTimeRange(selected.start, selected.end, { timeZone: selected.time_zone })}{' '}
            {zoneName(selected.start, { timeZone: selected.time_zone })}{' '}
            <span className="muted">({selected.time_zone})</span>
          </p>
          <ul className="section-links">
            {SECTIONS.filter(({ section: target }) => organizer || target !== 'organizer').map(({ section: target, label }) => (
              <li key={target}>
                <a
                  href={hrefFor(target)}
                  className="section-link"
                  aria-current={target === section ? 'page' : undefined}
                  onClick={(event) => follow(event, target)}
                >
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="event-when field-error" role="alert">
          No event with id {requested}: choose an event.
        </p>
      )}
    </nav>
  );
}

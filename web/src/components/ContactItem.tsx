import type { Contact } from '../api';
import {
  formatCoordinate,
  formatDateTime,
  formatDuration,
  formatMeters,
  formatTimeRange,
  formatUtc,
  fullName,
  plural,
} from '../format';

interface ContactItemProps {
  contact: Contact;
  rank: number;
  expanded: boolean;
  highlighted: boolean;
  onToggle: () => void;
  onHover: (personId: number | null) => void;
}

/** A time in the user's zone, with the exact UTC time on hover. */
function Time({ value }: { value: string }) {
  return (
    <time dateTime={value} title={formatUtc(value)}>
      {formatDateTime(value)}
    </time>
  );
}

/** One person met: how often, how long, first and last, and each meeting on request. */
export function ContactItem({ contact, rank, expanded, highlighted, onToggle, onHover }: ContactItemProps) {
  const { person, meetings } = contact;
  const name = fullName(person);
  const meetingsId = `meetings-${person.id}`;
  const toggleText = `${expanded ? 'Hide' : 'Show'} ${plural(meetings.length, 'meeting')}`;
  return (
    <li
      className={highlighted ? 'contact is-highlighted' : 'contact'}
      data-testid={`contact-${person.id}`}
      onMouseEnter={() => onHover(person.id)}
      onMouseLeave={() => onHover(null)}
    >
      <div className="contact-head">
        <span className="rank" aria-hidden="true">
          {rank}
        </span>
        <div>
          <h3 className="contact-name">{name}</h3>
          <p className="contact-company">{person.company_name}</p>
        </div>
      </div>
      <dl className="stats">
        <div>
          <dt>Meetings</dt>
          <dd>{contact.meeting_count}</dd>
        </div>
        <div>
          <dt>Time together</dt>
          <dd>{formatDuration(contact.total_seconds)}</dd>
        </div>
        <div>
          <dt>First met</dt>
          <dd>
            <Time value={contact.first_met} />
          </dd>
        </div>
        <div>
          <dt>Last met</dt>
          <dd>
            <Time value={contact.last_met} />
          </dd>
        </div>
      </dl>
      <button
        type="button"
        className="button button-quiet disclosure"
        aria-expanded={expanded}
        aria-controls={meetingsId}
        aria-label={`${toggleText} with ${name}`}
        onClick={onToggle}
      >
        {toggleText}
      </button>
      <ol id={meetingsId} className="meetings" hidden={!expanded} aria-label={`Meetings with ${name}`}>
        {meetings.map((meeting) => (
          <li key={`${meeting.start}/${meeting.end}`} className="meeting">
            <dl>
              <div>
                <dt>When</dt>
                <dd title={`${formatUtc(meeting.start)} – ${formatUtc(meeting.end)}`}>
                  {formatTimeRange(meeting.start, meeting.end)}
                </dd>
              </div>
              <div>
                <dt>How long</dt>
                <dd>{formatDuration(meeting.duration_seconds)}</dd>
              </div>
              <div>
                <dt>Where</dt>
                <dd>
                  {formatCoordinate(meeting.latitude)}, {formatCoordinate(meeting.longitude)}
                </dd>
              </div>
              <div>
                <dt>Closest</dt>
                <dd>{formatMeters(meeting.closest_meters)}</dd>
              </div>
              <div>
                <dt>Encounters</dt>
                <dd>{meeting.encounters}</dd>
              </div>
            </dl>
          </li>
        ))}
      </ol>
    </li>
  );
}

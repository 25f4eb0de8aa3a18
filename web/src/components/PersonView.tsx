import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { ApiClient, Event } from '../api';
import { fullName } from '../format';
import {
  eventDays,
  parseSettingsDraft,
  settingsDraft,
  type Settings,
  type SettingsDraft,
  type Tab,
  type ViewState,
} from '../url';
import { useRequest, type FieldProblem } from '../useRequest';
import { ConnectionsView } from './ConnectionsView';
import { ContactsView } from './ContactsView';
import { Controls } from './Controls';
import { EventAttendance } from './EventAttendance';
import type { PlanRequest } from './PlanPanel';
import { ErrorNotice, Loading } from './Status';

/** Pause after typing a number before the view follows it. */
const TYPING_PAUSE_MS = 300;

const TABS: { tab: Tab; label: string }[] = [
  { tab: 'contacts', label: 'Contacts' },
  { tab: 'connections', label: 'Raw connections (compatibility)' },
];

export type UpdateView = (patch: Partial<ViewState>, history: 'push' | 'replace') => void;

interface PersonViewProps {
  api: ApiClient;
  personId: number;
  view: ViewState;
  onUpdate: UpdateView;
  /** Move focus to the person's name once shown (after the user picked them). */
  focusOnLoad: boolean;
  /** The event shown, with its floor plan; null without events. */
  event: Event | null;
  plan: PlanRequest;
}

function settingsOf({ start, end, distance, window, minDuration }: ViewState): Settings {
  return { start, end, distance, window, minDuration };
}

function sameSettings(a: Settings, b: Settings): boolean {
  return (
    a.start === b.start &&
    a.end === b.end &&
    a.distance === b.distance &&
    a.window === b.window &&
    a.minDuration === b.minDuration
  );
}

/** The selected person: their day at the event; the settings, and their contacts or raw connections. */
export function PersonView({ api, personId, view, onUpdate, focusOnLoad, event, plan }: PersonViewProps) {
  const person = useRequest((signal) => api.getPerson(personId, signal), String(personId));
  const settings = settingsOf(view);
  const id = useId();

  // The inputs hold what the user types; the URL holds the last valid settings.
  // When the URL changes under the inputs (back button), they follow it,
  // unless it changed because of what they hold.
  const [typed, setTyped] = useState(() => ({ from: settings, draft: settingsDraft(settings) }));
  let draft = typed.draft;
  if (!sameSettings(typed.from, settings)) {
    const current = parseSettingsDraft(typed.draft).settings;
    draft = current && sameSettings(current, settings) ? typed.draft : settingsDraft(settings);
    setTyped({ from: settings, draft });
  }
  const parsed = parseSettingsDraft(draft);

  const [problem, setProblem] = useState<FieldProblem | null>(null);
  const errors = { ...(problem && { [problem.field]: problem.message }), ...parsed.errors };

  const pending = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(pending.current), []);
  const change = (field: keyof SettingsDraft, value: string) => {
    const next = { ...draft, [field]: value };
    setTyped({ from: settings, draft: next });
    window.clearTimeout(pending.current);
    const valid = parseSettingsDraft(next).settings;
    if (!valid) return;
    // A date is picked whole; a number may be half typed.
    if (field === 'start' || field === 'end') onUpdate(valid, 'replace');
    else pending.current = window.setTimeout(() => onUpdate(valid, 'replace'), TYPING_PAUSE_MS);
  };
  const apply = () => {
    window.clearTimeout(pending.current);
    if (parsed.settings && !sameSettings(parsed.settings, settings)) onUpdate(parsed.settings, 'replace');
  };

  const heading = useRef<HTMLHeadingElement>(null);
  const loaded = person.state.status === 'ready' ? person.state.data : null;
  useEffect(() => {
    if (!loaded) return;
    document.title = `${fullName(loaded)} – UdaConnect`;
    if (focusOnLoad) heading.current?.focus();
    return () => {
      document.title = 'UdaConnect';
    };
  }, [loaded, focusOnLoad]);

  const tabRefs = useRef<Partial<Record<Tab, HTMLButtonElement | null>>>({});
  const onTabKey = (event: KeyboardEvent) => {
    const index = TABS.findIndex((t) => t.tab === view.tab);
    const target = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: TABS.length - 1 }[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const { tab } = TABS[(target + TABS.length) % TABS.length];
    onUpdate({ tab }, 'push');
    tabRefs.current[tab]?.focus();
  };

  if (person.state.status === 'loading') {
    return (
      <div aria-busy="true">
        <Loading />
      </div>
    );
  }
  if (person.state.status === 'error') {
    return <ErrorNotice error={person.state.error} notFound={`No person with id ${personId}`} onRetry={person.retry} />;
  }
  const { data } = person.state;
  return (
    <article className="person-view" aria-labelledby={`${id}-name`}>
      <header className="person-header">
        <h2 id={`${id}-name`} ref={heading} tabIndex={-1}>
          {fullName(data)}
        </h2>
        <p className="muted">{data.company_name}</p>
      </header>
      {event && <EventAttendance key={event.id} api={api} event={event} plan={plan} person={data} />}
      {event && (
        <div className="section-heading">
          <h3>Whom they met, over any period</h3>
          <button
            type="button"
            className="button button-quiet"
            onClick={() => onUpdate(eventDays(event.start, event.end), 'push')}
          >
            Show the event&rsquo;s days
          </button>
        </div>
      )}
      <Controls draft={draft} errors={errors} onChange={change} onBlur={apply} />
      <div className="tabs" role="tablist" aria-label="Views of this person" onKeyDown={onTabKey}>
        {TABS.map(({ tab, label }) => (
          <button
            key={tab}
            ref={(element) => {
              tabRefs.current[tab] = element;
            }}
            type="button"
            role="tab"
            id={`${id}-tab-${tab}`}
            aria-selected={view.tab === tab}
            aria-controls={`${id}-panel`}
            tabIndex={view.tab === tab ? 0 : -1}
            className="tab"
            onClick={() => onUpdate({ tab }, 'push')}
          >
            {label}
          </button>
        ))}
      </div>
      <section className="tab-panel" role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-tab-${view.tab}`}>
        {!parsed.settings ? (
          <p className="notice">Correct the settings above to see results.</p>
        ) : view.tab === 'contacts' ? (
          <ContactsView api={api} personId={personId} settings={settings} onFieldProblem={setProblem} />
        ) : (
          <ConnectionsView api={api} personId={personId} settings={settings} onFieldProblem={setProblem} />
        )}
      </section>
    </article>
  );
}

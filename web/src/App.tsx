import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient, FloorPlan, Person, Session } from './api';
import { EventBar } from './components/EventBar';
import { EventOverview } from './components/EventOverview';
import { OrganizerView } from './components/OrganizerView';
import { PersonForm } from './components/PersonForm';
import { PersonList } from './components/PersonList';
import { PersonView, type UpdateView } from './components/PersonView';
import { DownloadData } from './components/DownloadData';
import { PrivacyPanel } from './components/PrivacyPanel';
import { SignInCode } from './components/SignInCode';
import { ErrorNotice } from './components/Status';
import { fullName } from './format';
import { parseViewState, serializeViewState, type ViewState } from './url';
import { useRequest } from './useRequest';

const readLocation = () => parseViewState(window.location.search, new Date());
/** The plan of no event: the page without events asks for none. */
const NO_PLAN: FloorPlan = { type: 'FeatureCollection', features: [] };

interface AppProps {
  api: ApiClient;
  /** Who signed in: the organizer sees everyone, an attendee themselves. */
  session: Session;
  onSignOut: () => void;
}

export function App({ api, session, onSignOut }: AppProps) {
  const organizer = session.role === 'organizer';
  const self = session.person_id ?? null;
  // An attendee's page is about them, whatever the address says.
  const readView = useCallback((): ViewState => {
    const read = readLocation();
    return self !== null ? { ...read, person: self, section: 'attendees' } : read;
  }, [self]);
  const [view, setView] = useState<ViewState>(readView);
  // Focus follows a person the user picks, not one restored from the URL.
  const [picked, setPicked] = useState(false);
  const latest = useRef(view);

  useEffect(() => {
    const onPopState = () => {
      latest.current = readView();
      setView(latest.current);
      setPicked(false);
    };
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, [readView]);

  const update = useCallback<UpdateView>((patch, history) => {
    const next = { ...latest.current, ...patch };
    const search = `?${serializeViewState(next)}`;
    if (search !== window.location.search) {
      if (history === 'push') window.history.pushState(null, '', search);
      else window.history.replaceState(null, '', search);
    }
    latest.current = next;
    setView(next);
  }, []);

  // An address that leaves settings out (or holds invalid ones) is rewritten
  // to name the view it shows, so that it can be shared as it stands.
  useEffect(() => {
    if (view.person === null && view.event === null) return;
    const search = `?${serializeViewState(view)}`;
    if (search !== window.location.search) window.history.replaceState(null, '', search);
  }, [view]);

  // The organizer lists everyone; an attendee sees only themselves.
  const persons = useRequest(
    (signal) => (self === null ? api.listPersons(signal) : api.getPerson(self, signal).then((person) => [person])),
    `persons/${self ?? 'all'}`,
  );
  const selected =
    persons.state.status === 'ready' ? persons.state.data.find((person) => person.id === view.person) : undefined;
  const select = (id: number) => {
    setPicked(true);
    update({ person: id }, 'push');
  };
  const created = (person: Person) => {
    persons.update((list) => [...list, person]);
    select(person.id);
  };

  // The page opens on the latest event, which the address then names; without events it is as it was before them.
  const events = useRequest((signal) => api.listEvents(signal), 'events');
  const list = events.state.status === 'ready' ? events.state.data : [];
  const event = list.find((e) => e.id === view.event) ?? (view.event === null ? list[0] : undefined) ?? null;
  useEffect(() => {
    if (view.event === null && event) update({ event: event.id }, 'replace');
  }, [view.event, event, update]);
  // Links name the event shown, even before the address does.
  const shown: ViewState = { ...view, event: event?.id ?? view.event };
  const plan = useRequest(
    (signal) => (event ? api.areas(event.id, signal) : Promise.resolve(NO_PLAN)),
    `plan/${event?.id ?? ''}`,
  );

  return (
    <div className="app">
      <header className="app-header">
        <h1>UdaConnect</h1>
        <p className="tagline">
          {list.length > 0
            ? 'What each attendee attended, whom they met, when and where'
            : 'Whom each attendee met, when and where'}
        </p>
        <p className="signed-in">
          <span className="muted">
            {organizer ? 'Signed in as the organizer' : `Signed in as ${selected ? fullName(selected) : 'an attendee'}`}
          </span>{' '}
          {self !== null && <DownloadData api={api} personId={self} label="Download my data" />}
          <button type="button" className="button button-quiet" onClick={onSignOut}>
            Sign out
          </button>
        </p>
      </header>
      {events.state.status === 'error' && (
        <div className="event-bar">
          <ErrorNotice error={events.state.error} onRetry={events.retry} />
        </div>
      )}
      {list.length > 0 && (
        <EventBar
          events={list}
          selected={event}
          requested={view.event}
          section={view.section}
          organizer={organizer}
          hrefFor={(section) => `?${serializeViewState({ ...shown, section })}`}
          onSelect={(id) => update({ event: id }, 'push')}
          onSection={(section) => update({ section }, 'push')}
        />
      )}
      {event && organizer && view.section === 'organizer' ? (
        <main className="organizer-page">
          <OrganizerView key={event.id} api={api} event={event} />
        </main>
      ) : (
        <main className="panes">
          <div className="pane pane-people">
            <PersonList
              persons={persons.state}
              onRetry={persons.retry}
              selectedId={view.person}
              hrefFor={(id) => `?${serializeViewState({ ...shown, person: id })}`}
              onSelect={select}
            />
            {self !== null && <PrivacyPanel api={api} personId={self} onErased={onSignOut} />}
            {organizer && <PersonForm api={api} onCreated={created} />}
            {organizer && selected && (
              <SignInCode key={selected.id} api={api} personId={selected.id} name={fullName(selected)} />
            )}
            {organizer && selected && (
              <DownloadData api={api} personId={selected.id} label={`Download ${fullName(selected)}'s data`} />
            )}
          </div>
          <div className="pane pane-view">
            {view.person !== null ? (
              <PersonView
                key={view.person}
                api={api}
                personId={view.person}
                view={view}
                onUpdate={update}
                focusOnLoad={picked}
                event={event}
                plan={plan}
              />
            ) : event ? (
              <EventOverview event={event} plan={plan} />
            ) : (
              <div className="intro">
                <h2>Choose a person</h2>
                <p className="muted">Pick someone from the list to see whom they met, when and where.</p>
              </div>
            )}
          </div>
        </main>
      )}
    </div>
  );
}

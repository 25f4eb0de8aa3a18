import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient, Person } from './api';
import { PersonForm } from './components/PersonForm';
import { PersonList } from './components/PersonList';
import { PersonView, type UpdateView } from './components/PersonView';
import { parseViewState, serializeViewState, type ViewState } from './url';
import { useRequest } from './useRequest';

const readLocation = () => parseViewState(window.location.search, new Date());

export function App({ api }: { api: ApiClient }) {
  const [view, setView] = useState<ViewState>(readLocation);
  // Focus follows a person the user picks, not one restored from the URL.
  const [picked, setPicked] = useState(false);
  const latest = useRef(view);

  useEffect(() => {
    const onPopState = () => {
      latest.current = readLocation();
      setView(latest.current);
      setPicked(false);
    };
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, []);

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
    if (view.person === null) return;
    const search = `?${serializeViewState(view)}`;
    if (search !== window.location.search) window.history.replaceState(null, '', search);
  }, [view]);

  const persons = useRequest((signal) => api.listPersons(signal), 'persons');
  const select = (id: number) => {
    setPicked(true);
    update({ person: id }, 'push');
  };
  const created = (person: Person) => {
    persons.update((list) => [...list, person]);
    select(person.id);
  };

  return (
    <div className="app">
      <header className="app-header">
        <h1>UdaConnect</h1>
        <p className="tagline">Whom each attendee met, when and where</p>
      </header>
      <main className="panes">
        <div className="pane pane-people">
          <PersonList
            persons={persons.state}
            onRetry={persons.retry}
            selectedId={view.person}
            hrefFor={(id) => `?${serializeViewState({ ...view, person: id })}`}
            onSelect={select}
          />
          <PersonForm api={api} onCreated={created} />
        </div>
        <div className="pane pane-view">
          {view.person === null ? (
            <div className="intro">
              <h2>Choose a person</h2>
              <p className="muted">Pick someone from the list to see whom they met, when and where.</p>
            </div>
          ) : (
            <PersonView key={view.person} api={api} personId={view.person} view={view} onUpdate={update} focusOnLoad={picked} />
          )}
        </div>
      </main>
    </div>
  );
}

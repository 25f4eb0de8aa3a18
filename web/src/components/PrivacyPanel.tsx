import { useState } from 'react';
import { failureMessage, type ApiClient, type Privacy } from '../api';
import { useRequest } from '../useRequest';
import { ErrorNotice } from './Status';

interface PrivacyPanelProps {
  api: ApiClient;
  personId: number;
  /** Called once the person's erasure is queued: their sign-in is over. */
  onErased: () => void;
}

/**
 * An attendee's own choices: whether others see them (mutually), whether
 * their location is shared, and erasing everything. Each change is saved
 * as it is made.
 */
export function PrivacyPanel({ api, personId, onErased }: PrivacyPanelProps) {
  const privacy = useRequest((signal) => api.privacy(personId, signal), `privacy/${personId}`);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);

  const choose = async (change: Partial<Privacy>) => {
    if (privacy.state.status !== 'ready') return;
    setSaving(true);
    setError(null);
    try {
      const saved = await api.setPrivacy(personId, { ...privacy.state.data, ...change });
      privacy.update(() => saved);
    } catch (failure) {
      setError(failureMessage(failure));
    } finally {
      setSaving(false);
    }
  };

  const erase = async () => {
    setSaving(true);
    setError(null);
    try {
      await api.erasePerson(personId);
      onErased();
    } catch (failure) {
      setError(failureMessage(failure));
      setSaving(false);
    }
  };

  if (privacy.state.status === 'error') return <ErrorNotice error={privacy.state.error} onRetry={privacy.retry} />;
  const choices = privacy.state.status === 'ready' ? privacy.state.data : null;
  return (
    <section className="privacy" aria-label="Privacy">
      <h2>Privacy</h2>
      <label className="choice">
        <input
          type="checkbox"
          checked={choices?.visible_to_others ?? false}
          disabled={choices === null || saving}
          onChange={(event) => choose({ visible_to_others: event.target.checked })}
        />
        Let other attendees see me
      </label>
      <p className="muted">
        You see others in your contacts and shared sessions only if they chose this too, and only while you do.
      </p>
      <label className="choice">
        <input
          type="checkbox"
          checked={choices?.location_paused ?? false}
          disabled={choices === null || saving}
          onChange={(event) => choose({ location_paused: event.target.checked })}
        />
        Pause sharing my location
      </label>
      <p className="muted">While paused, your phone’s pings are refused and never stored.</p>
      {confirming ? (
        <p className="erase-confirm">
          Erase your profile, devices, pings and visits from UdaConnect? This cannot be undone.{' '}
          <button type="button" className="button button-danger" onClick={erase} disabled={saving}>
            Erase everything
          </button>{' '}
          <button type="button" className="button button-quiet" onClick={() => setConfirming(false)} disabled={saving}>
            Keep my data
          </button>
        </p>
      ) : (
        <button type="button" className="button button-quiet" onClick={() => setConfirming(true)}>
          Erase my data…
        </button>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

import { useState } from 'react';
import { failureMessage, type ApiClient } from '../api';

interface DownloadDataProps {
  api: ApiClient;
  personId: number;
  /** What the button says. */
  label: string;
}

/** Saves everything the API stores about the person as a JSON file. */
export function DownloadData({ api, personId, label }: DownloadDataProps) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const file = await api.exportData(personId);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(file);
      link.download = `udaconnect-person-${personId}.json`;
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (failure) {
      setError(failureMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" className="button button-quiet" onClick={download} disabled={busy}>
        {busy ? 'Preparing…' : label}
      </button>
      {error && (
        <span className="form-error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}

import { useId, useState, type FormEvent } from 'react';
import { ApiClient, ApiError, NetworkError, type Session } from '../api';
import { looksLikeCode } from '../signin';

interface SignInProps {
  apiUrl: string;
  onSignedIn: (token: string, session: Session) => void;
}

/**
 * Signs in with a one-time code from the organizer (an attendee) or with
 * the organizer's token; the API judges either.
 */
export function SignIn({ apiUrl, onSignedIn }: SignInProps) {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const id = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const text = typed.trim();
    if (text === '') {
      setError('Type your sign-in code.');
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      const token = looksLikeCode(text) ? (await new ApiClient(apiUrl).redeemCode(text)).token : text;
      onSignedIn(token, await new ApiClient(apiUrl, token).session());
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) {
        setError('That is not a valid sign-in code or organizer token.');
      } else if (failure instanceof ApiError && failure.field === 'code') {
        setError('That code is unknown, expired or already used: ask the organizer for a new one.');
      } else if (failure instanceof ApiError || failure instanceof NetworkError) {
        setError(failure.message);
      } else {
        setError(`Something went wrong: ${String(failure)}`);
      }
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div className="app">
      <header className="app-header">
        <h1>UdaConnect</h1>
        <p className="tagline">What each attendee attended, whom they met, when and where</p>
      </header>
      <main className="sign-in">
        <form onSubmit={submit} noValidate aria-labelledby={`${id}-heading`}>
          <h2 id={`${id}-heading`}>Sign in</h2>
          <div className="field">
            <label htmlFor={`${id}-code`}>Sign-in code or organizer token</label>
            <input
              id={`${id}-code`}
              name="code"
              value={typed}
              autoComplete="one-time-code"
              spellCheck={false}
              aria-invalid={error ? true : undefined}
              aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
              onChange={(event) => {
                setTyped(event.target.value);
                setError(null);
              }}
            />
            <p id={`${id}-hint`} className="muted">
              Attendees: the twelve-character code the organizer gave you, such as 7KQ2-M9XD-4TZP. It works once.
            </p>
            {error && (
              <p id={`${id}-error`} className="field-error" role="alert">
                {error}
              </p>
            )}
          </div>
          <button type="submit" className="button button-primary" disabled={submitting}>
            {submitting ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </main>
    </div>
  );
}

import { useState } from 'react';
import { failureMessage, type ApiClient, type EnrollmentCode } from '../api';
import { formatClock } from '../format';

interface SignInCodeProps {
  api: ApiClient;
  personId: number;
  name: string;
}

/**
 * The organizer's way to let an attendee in: a one-time code for their
 * phone or this page, shown once.
 */
export function SignInCode({ api, personId, name }: SignInCodeProps) {
  const [code, setCode] = useState<EnrollmentCode | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [making, setMaking] = useState(false);

  const make = async () => {
    setMaking(true);
    setError(null);
    try {
      setCode(await api.createEnrollmentCode(personId));
    } catch (failure) {
      setError(failureMessage(failure));
    } finally {
      setMaking(false);
    }
  };

  return (
    <section className="sign-in-code" aria-label={`Sign-in code for ${name}`}>
      <button type="button" className="button" onClick={make} disabled={making}>
        {making ? 'Making a code…' : `Make a sign-in code for ${name}`}
      </button>
      {code && (
        <p role="status">
          <code className="code" data-testid="sign-in-code">
            {code.code}
          </code>{' '}
          <span className="muted">
            works once, until {formatClock(code.expires)}
          </span>
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

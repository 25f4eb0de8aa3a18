import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiClient, ApiError, type Session } from './api';
import { App } from './App';
import { SignIn } from './components/SignIn';
import { storedToken, storeToken } from './signin';

type SignedIn = { token: string; session: Session };

/**
 * The page behind its sign-in: restores this tab's sign-in when the API
 * still takes its token, and returns to the sign-in when it no longer does.
 */
export function Root({ apiUrl }: { apiUrl: string }) {
  const [signedIn, setSignedIn] = useState<SignedIn | null>(null);
  const [restoring, setRestoring] = useState(() => storedToken() !== null);

  const signOut = useCallback(() => {
    storeToken(null);
    setSignedIn(null);
  }, []);

  useEffect(() => {
    const token = storedToken();
    if (token === null) return;
    const controller = new AbortController();
    new ApiClient(apiUrl, token)
      .session(controller.signal)
      .then((session) => setSignedIn({ token, session }))
      .catch((error: unknown) => {
        // Only a token the API refuses is forgotten; an API out of reach
        // leaves it for the next load.
        if (!controller.signal.aborted && error instanceof ApiError && error.status === 401) storeToken(null);
      })
      .finally(() => {
        if (!controller.signal.aborted) setRestoring(false);
      });
    return () => controller.abort();
  }, [apiUrl]);

  const api = useMemo(() => {
    if (!signedIn) return null;
    const client = new ApiClient(apiUrl, signedIn.token);
    client.onSignedOut = signOut;
    return client;
  }, [apiUrl, signedIn, signOut]);

  if (restoring) return null;
  if (!signedIn || !api) {
    return (
      <SignIn
        apiUrl={apiUrl}
        onSignedIn={(token, session) => {
          storeToken(token);
          setSignedIn({ token, session });
        }}
      />
    );
  }
  return <App api={api} session={signedIn.session} onSignOut={signOut} />;
}

import { ApiError, NetworkError } from '../api';

export function Loading({ children = 'Loading…' }: { children?: string }) {
  return (
    <p className="status" role="status">
      {children}
    </p>
  );
}

interface ErrorNoticeProps {
  error: unknown;
  /** What a 404 means here, e.g. "No person with id 7". */
  notFound?: string;
  onRetry?: () => void;
}

/** Says what went wrong in words, offering a retry where one can help. */
export function ErrorNotice({ error, notFound, onRetry }: ErrorNoticeProps) {
  let message: string;
  let hint: string | null = null;
  let retryable = true;
  if (error instanceof NetworkError) {
    message = `Cannot reach the UdaConnect API at ${error.apiUrl}`;
    hint = 'Check that the API is running and reachable from this browser, then retry.';
  } else if (error instanceof ApiError) {
    message = error.status === 404 && notFound ? notFound : error.detail;
    // A request the API refused fails the same way again; a server-side failure may not.
    retryable = error.status >= 500;
  } else {
    message = `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
  }
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-message">{message}</p>
      {hint && <p className="notice-hint">{hint}</p>}
      {onRetry && retryable && (
        <button type="button" className="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

import { useCallback, useEffect, useState } from 'react';
import { ApiError } from './api';

export type RequestState<T> =
  | { status: 'loading' }
  | { status: 'ready'; data: T }
  | { status: 'error'; error: unknown };

interface Keyed<T> {
  key: string;
  state: RequestState<T>;
}

/**
 * Runs `load` whenever `key` changes (or on `retry`), aborting the request
 * it replaces. `key` must identify everything `load` depends on; a state
 * left from an older key is never returned, so a view never shows the
 * previous person's data while the next one loads.
 */
export function useRequest<T>(load: (signal: AbortSignal) => Promise<T>, key: string) {
  const [current, setCurrent] = useState<Keyed<T>>({ key, state: { status: 'loading' } });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    const settle = (state: RequestState<T>) => {
      if (!controller.signal.aborted) setCurrent({ key, state });
    };
    setCurrent({ key, state: { status: 'loading' } });
    load(controller.signal).then(
      (data) => settle({ status: 'ready', data }),
      (error: unknown) => settle({ status: 'error', error }),
    );
    return () => controller.abort();
    // `key` stands for `load`'s inputs, by contract.
  }, [key, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  /** Changes the loaded data in place (a person added to the list, say). */
  const update = useCallback(
    (change: (data: T) => T) =>
      setCurrent((c) => (c.state.status === 'ready' ? { ...c, state: { status: 'ready', data: change(c.state.data) } } : c)),
    [],
  );
  const state: RequestState<T> = current.key === key ? current.state : { status: 'loading' };
  return { state, retry, update };
}

/** A problem the API pinned on one of the settings, to show at its input. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Hands a failed request's field problem (a 400 naming `field`) to `report`
 * while it stands, and withdraws it once the request changes or the view goes.
 * `rename` maps the API's field names to the caller's.
 */
export function useFieldProblem(
  state: RequestState<unknown>,
  report: (problem: FieldProblem | null) => void,
  rename: (field: string) => string = (field) => field,
) {
  const error = state.status === 'error' ? state.error : null;
  const field = error instanceof ApiError && error.status === 400 && error.field ? rename(error.field) : null;
  const message = field && error instanceof ApiError ? error.detail : null;
  useEffect(() => {
    if (field === null || message === null) return;
    report({ field, message });
    return () => report(null);
  }, [field, message, report]);
}

/** Loading a query, running a mutation, following a subscription; and their states on screen. */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError, request as typedRequest, subscribe } from './api';
import type { TypedDocumentString } from './gql/graphql';

/** The hooks pass the variables they were given (already checked against V by their callers). */
const request = typedRequest as <R, V>(document: TypedDocumentString<R, V>, variables: V) => Promise<R>;

export interface QueryState<R> {
  data: R | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => Promise<void>;
}

export function useQuery<R, V>(document: TypedDocumentString<R, V>, variables: V, options: { skip?: boolean } = {}): QueryState<R> {
  const [data, setData] = useState<R | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(!options.skip);
  const key = JSON.stringify(variables);
  const latest = useRef(0);
  const reload = useCallback(async () => {
    if (options.skip) return;
    const mine = ++latest.current;
    setLoading(true);
    try {
      const result = await request(document, JSON.parse(key) as V);
      if (mine === latest.current) {
        setData(result);
        setError(null);
      }
    } catch (e) {
      if (mine === latest.current) setError(e instanceof ApiError ? e : new ApiError('INTERNAL', String(e)));
    } finally {
      if (mine === latest.current) setLoading(false);
    }
  }, [document, key, options.skip]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload };
}

export interface MutationState<R> {
  run: () => Promise<R | null>;
  running: boolean;
  error: ApiError | null;
  reset: () => void;
}

/** `mutate(vars)` runs the document; errors are kept (shown by <ErrorText>) and null is returned. */
export function useMutation<R, V>(document: TypedDocumentString<R, V>) {
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const mutate = useCallback(
    async (variables: V): Promise<R | null> => {
      setRunning(true);
      setError(null);
      try {
        return await request(document, variables);
      } catch (e) {
        setError(e instanceof ApiError ? e : new ApiError('INTERNAL', String(e)));
        return null;
      } finally {
        setRunning(false);
      }
    },
    [document],
  );
  return { mutate, running, error, reset: () => setError(null) };
}

export function useSubscription<R, V>(document: TypedDocumentString<R, V>, variables: V, onData: (data: R) => void, enabled = true): ApiError | null {
  const [error, setError] = useState<ApiError | null>(null);
  const handler = useRef(onData);
  handler.current = onData;
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (!enabled) return;
    return subscribe(document, JSON.parse(key) as V, { next: (data) => handler.current(data), error: setError });
  }, [document, key, enabled]);
  return error;
}

export function ErrorText({ error }: { error: ApiError | null | undefined }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error.message}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** The loading / error / content states of one query. */
export function Loaded<R>({ state, what, children }: { state: QueryState<R>; what: string; children: (data: R) => ReactNode }) {
  if (state.error && !state.data) return <ErrorText error={state.error} />;
  if (!state.data) return <Loading what={what} />;
  return (
    <>
      {state.error ? <ErrorText error={state.error} /> : null}
      {children(state.data)}
    </>
  );
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * The console's only way to the server: the public GraphQL API, queries and mutations over HTTP
 * POST /graphql, live updates over graphql-ws on the same path. Every document is a typed
 * document from src/gql (generated from schema.graphql).
 */
import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentString } from './gql/graphql';
import { describeError } from './errors';

const TOKEN_KEY = 'console.token';

export function savedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function saveToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
  wsClient?.dispose();
  wsClient = null;
}

export interface ApiErrorDetail {
  message: string;
  extensions?: Record<string, unknown>;
}

/** An error in words (src/errors.ts), with the contract code behind it. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function toApiError(errors: readonly ApiErrorDetail[]): ApiError {
  const first = errors[0];
  const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL';
  return new ApiError(code, describeError(code, first?.message ?? '', first?.extensions));
}

export async function request<R, V>(document: TypedDocumentString<R, V>, ...[variables]: V extends Record<string, never> ? [] | [V] : [V]): Promise<R> {
  const token = savedToken();
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
    });
  } catch {
    throw new ApiError('NETWORK', describeError('NETWORK', ''));
  }
  let body: { data?: R | null; errors?: ApiErrorDetail[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new ApiError('INTERNAL', describeError('INTERNAL', `The server answered ${response.status}`));
  }
  if (body.errors?.length) throw toApiError(body.errors);
  if (!body.data) throw new ApiError('INTERNAL', describeError('INTERNAL', 'The server sent no data'));
  return body.data;
}

let wsClient: Client | null = null;

function client(): Client {
  if (!wsClient) {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    wsClient = createClient({ url, lazy: true, retryAttempts: 20, connectionParams: () => ({ authorization: `Bearer ${savedToken() ?? ''}` }) });
  }
  return wsClient;
}

/** Subscribes; returns the unsubscribe function. */
export function subscribe<R, V>(document: TypedDocumentString<R, V>, variables: V, handlers: { next: (data: R) => void; error?: (error: ApiError) => void }): () => void {
  return client().subscribe<R>(
    { query: document.toString(), variables: variables as Record<string, unknown> },
    {
      next: (result) => {
        if (result.errors?.length) handlers.error?.(toApiError(result.errors as ApiErrorDetail[]));
        else if (result.data) handlers.next(result.data);
      },
      error: (error) => {
        const closed = error as { code?: number };
        handlers.error?.(new ApiError(closed.code === 4403 ? 'FORBIDDEN' : 'NETWORK', describeError(closed.code === 4403 ? 'LIVE_REFUSED' : 'NETWORK', '')));
      },
      complete: () => {},
    },
  );
}

/** Helpers for the security tests: raw HTTP, the graphql-ws client, and leak checks on errors. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { expect } from 'vitest';
import type { GraphQLResponse } from './app.js';

export interface RawResponse {
  status: number;
  headers: Headers;
  body: GraphQLResponse<Record<string, unknown>> & Record<string, unknown>;
}

/** One HTTP request as a client would send it, keeping the status and headers. */
export async function raw(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  const response = await fetch(url, { method: init.method ?? 'POST', headers: init.headers ?? {}, body: init.body ?? null });
  const text = await response.text();
  let body: RawResponse['body'];
  try {
    body = JSON.parse(text) as RawResponse['body'];
  } catch {
    body = { text } as unknown as RawResponse['body'];
  }
  return { status: response.status, headers: response.headers, body };
}

export function postJson(url: string, payload: unknown, token: string | null, headers: Record<string, string> = {}): Promise<RawResponse> {
  return raw(url, {
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify(payload),
  });
}

/** A graphql-ws client authenticated with the token; `origin` sets the upgrade's Origin header. */
export function wsClient(url: string, token: string, origin?: string): Client {
  class OriginWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, origin ? { headers: { origin } } : {});
    }
  }
  return createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: OriginWebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
  });
}

/** Runs one operation over WebSocket; resolves with the result, or with the errors the server sent. */
export function wsRun(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    let result: GraphQLResponse<Record<string, unknown>> = {};
    client.subscribe(
      { query, variables },
      {
        next: (value) => {
          result = value as GraphQLResponse<Record<string, unknown>>;
        },
        error: (error) => {
          if (Array.isArray(error)) resolve({ errors: error as GraphQLResponse<unknown>['errors'] });
          else reject(error instanceof Error ? error : new Error(`socket closed: ${JSON.stringify((error as { code?: number; reason?: string })?.code)} ${(error as { reason?: string })?.reason ?? ''}`));
        },
        complete: () => resolve(result),
      },
    );
  });
}

/** What must never reach a client: driver errors, stack frames, Cypher text, source paths. */
export const LEAK_MARKERS = [/Neo4jError/i, /\bat [\w.<>]+ \(/, /^\s+at /m, /\bMATCH\b/, /\bMERGE\b/, /\bUNWIND\b/, /\.ts:\d/, /\.js:\d/, /node_modules/];

/** `echoed`: inputs the error may quote back (a refused row's key), blanked before the check. */
export function expectNoLeak(errors: { message: string; extensions?: Record<string, unknown> }[] | undefined, echoed: string[] = []): void {
  for (const error of errors ?? []) {
    let text = JSON.stringify(error);
    for (const input of echoed) if (input.length > 0) text = text.split(JSON.stringify(input).slice(1, -1)).join('<input>');
    for (const marker of LEAK_MARKERS) expect(text, `error leaks internals: ${text.slice(0, 300)}`).not.toMatch(marker);
    expect(error.extensions?.code, `error without a code: ${text.slice(0, 300)}`).toBeTypeOf('string');
    expect(error.extensions).not.toHaveProperty('stacktrace');
  }
}

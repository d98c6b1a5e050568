/** The real graphql-ws client against the running server, and a subscription that collects what it receives. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { TestApp } from './app.js';

export interface Received {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export interface Collector {
  results: Received[];
  /** Events of the subscribed field, in arrival order. */
  events(): Record<string, any>[];
  /** Waits until `predicate` holds over what arrived (fails after `timeoutMs`). */
  until(predicate: (events: Record<string, any>[], results: Received[]) => boolean, timeoutMs?: number): Promise<void>;
  completed: Promise<void>;
  error: unknown;
  /** Errors received, as `next` payloads or as the operation's `error` message. */
  errors(): { message: string; extensions?: Record<string, unknown> }[];
  stop(): void;
}

export function wsClient(httpUrl: string, token: string | null, options: { retryAttempts?: number; lazy?: boolean } = {}): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: options.retryAttempts ?? 0,
    lazy: options.lazy ?? true,
  });
}

export function collect(client: Client, field: string, query: string, variables: Record<string, unknown> = {}): Collector {
  const results: Received[] = [];
  let settle: () => void = () => {};
  const completed = new Promise<void>((resolve) => (settle = resolve));
  const waiters = new Set<() => void>();
  const collector: Collector = {
    results,
    events: () => results.filter((r) => r.data?.[field]).map((r) => r.data![field] as Record<string, any>),
    until: (predicate, timeoutMs = 15_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (predicate(collector.events(), results)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting on ${field}; got ${JSON.stringify(results).slice(0, 2000)}; error ${JSON.stringify(collector.error)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    completed,
    error: undefined,
    errors: () => [
      ...results.flatMap((r) => r.errors ?? []),
      ...(Array.isArray(collector.error) ? (collector.error as { message: string; extensions?: Record<string, unknown> }[]) : []),
    ],
    stop: () => unsubscribe(),
  };
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const unsubscribe = client.subscribe<Record<string, any>>(
    { query, variables },
    {
      next: (result) => {
        results.push(result as Received);
        notify();
      },
      error: (error) => {
        collector.error = error;
        settle();
        notify();
      },
      complete: () => {
        settle();
        notify();
      },
    },
  );
  return collector;
}

/** Resolves with the close code when the connection is refused or closed. */
export function closeCodeOf(httpUrl: string, token: string | null): Promise<number> {
  return new Promise((resolve) => {
    const client = createClient({
      url: httpUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
      lazy: false,
      on: { closed: (event) => resolve((event as { code: number }).code) },
    });
    client.subscribe({ query: '{ __typename }' }, { next: () => {}, error: () => {}, complete: () => {} });
  });
}

/**
 * graphql-ws has no "subscribed" acknowledgement: opens subscriptions with `open` and resolves,
 * with what it returned, once the server has registered `count` of them (the ones it accepts).
 */
export async function subscribed<T>(t: TestApp, count: number, open: () => T, timeoutMs = 10_000): Promise<T> {
  const stream = t.app.services.eventStream;
  const mark = stream.opened;
  const value = open();
  const deadline = Date.now() + timeoutMs;
  while (stream.opened < mark + count) {
    if (Date.now() > deadline) throw new Error(`${stream.opened - mark} of ${count} subscriptions registered`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return value;
}

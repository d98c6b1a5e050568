/**
 * A subscription over HTTP as graphql-yoga serves it: server-sent events (`event: next` with a
 * GraphQL result as `data`, then `event: complete`), read with fetch as a non-browser client would.
 */
import type { Received } from './events-ws.js';

export interface SseStream {
  status: number;
  /** Every `next` result, in arrival order. */
  results: Received[];
  /** Results carrying data for `field`. */
  events(): Record<string, any>[];
  errors(): { message: string; extensions?: Record<string, unknown> }[];
  /** True once the server sent `event: complete`. */
  completed: boolean;
  /** Resolves when the response ends, however it ends (complete, cut by the server, aborted). */
  ended: Promise<void>;
  /** Waits until `predicate` holds over what arrived (fails after `timeoutMs`). */
  until(predicate: (stream: SseStream) => boolean, timeoutMs?: number): Promise<void>;
  /** Closes the stream from the client's side. */
  close(): void;
}

export async function sseSubscribe(
  url: string,
  token: string | null,
  field: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<SseStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  let settle: () => void = () => {};
  const stream: SseStream = {
    status: response.status,
    results: [],
    events: () => stream.results.filter((r) => r.data?.[field]).map((r) => r.data![field] as Record<string, any>),
    errors: () => stream.results.flatMap((r) => r.errors ?? []),
    completed: false,
    ended: new Promise<void>((resolve) => (settle = resolve)),
    until: (predicate, timeoutMs = 15_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!predicate(stream)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting on the SSE stream; got ${JSON.stringify(stream.results).slice(0, 2000)}, completed ${stream.completed}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => abort.abort(),
  };
  const read = async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let split: number;
        while ((split = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          const lines = frame.split('\n');
          const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim();
          const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
          if (event === 'next' && data) stream.results.push(JSON.parse(data) as Received);
          if (event === 'complete') stream.completed = true;
          notify();
        }
      }
    } catch {
      // Aborted by the client or cut by the server: `ended` tells.
    }
    settle();
    notify();
  };
  void read();
  return stream;
}

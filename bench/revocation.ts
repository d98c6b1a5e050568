/**
 * Delay from a token revoked on instance A to the close of the connections opened with it on
 * instance B (two API instances in this process, one Neo4j), for a WebSocket and an SSE stream.
 *
 *   NEO4J_URI=bolt://127.0.0.1:7720 npx tsx bench/revocation.ts              (no Redis: the poll)
 *   NEO4J_URI=... REDIS_URL=redis://127.0.0.1:6379 npx tsx bench/revocation.ts (through Redis)
 *   BENCH_ROUNDS=50 EVENTS_POLL_MS=1000 ...                                   (other settings)
 *
 * Uses NEO4J_URI when set, else the managed Neo4j instance `events` on port 7705. Each round
 * mints a token, opens a graphql-ws subscription and an SSE subscription with it on B, revokes
 * it through A's HTTP API, and measures from the moment the mutation answered to the socket's
 * close event and to the end of the SSE response. Bounded: each round waits at most 10 s.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { buildApp, type App } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startNeo4j } from '../scripts/neo4j.js';
import { graphqlAt } from './lib/graphql.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const SUBSCRIPTION = 'subscription { taskEvents { cursor } }';
const deadline = setTimeout(() => {
  process.stderr.write('bench/revocation: gave up after 5 minutes\n');
  process.exit(2);
}, 300_000);

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms).unref())]);

const graphql = (app: App, query: string, variables: Record<string, unknown> = {}) => graphqlAt(app.url(), ADMIN_TOKEN, query, variables);

async function main(): Promise<void> {
  const uri = process.env.NEO4J_URI ?? (await startNeo4j({ name: 'events', port: 7705 })).uri;
  const config = parseConfig({ ...process.env, NEO4J_URI: uri, ADMIN_TOKEN, LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '0' });
  const a = await buildApp(config, { logger: createLogger('error') });
  const b = await buildApp(config, { logger: createLogger('error') });
  await a.start(0);
  await b.start(0);
  const user = await graphql(a, `mutation($u: [UserInput!]!) { upsertUsers(users: $u) { created } }`, {
    u: [{ externalId: 'bench-revoked', email: 'bench-revoked@example.com', displayName: 'Bench Revoked' }],
  }).then(() => graphql(a, `{ userByExternalId(externalId: "bench-revoked") { id } }`));
  const userId = user.userByExternalId.id as string;
  const ws: number[] = [];
  const sse: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const minted = await graphql(a, `mutation($u: ID!) { createApiToken(userId: $u, name: "bench", scopes: ["read"]) { token apiToken { id } } }`, { u: userId });
    const token = minted.createApiToken.token as string;
    const opened = b.services.eventStream.opened;
    let closedAt = 0;
    const closed = new Promise<void>((resolve) => {
      const client = createClient({
        url: b.url().replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => {},
        on: { closed: () => ((closedAt = Date.now()), resolve()) },
      });
      client.subscribe({ query: SUBSCRIPTION }, { next: () => {}, error: () => {}, complete: () => {} });
    });
    const response = await fetch(b.url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: SUBSCRIPTION }),
    });
    let endedAt = 0;
    const ended = (async () => {
      try {
        for await (const _chunk of response.body as unknown as AsyncIterable<Uint8Array>) void _chunk;
      } catch {
        // cut by the server
      }
      endedAt = Date.now();
    })();
    while (b.services.eventStream.opened < opened + 2) await new Promise((r) => setTimeout(r, 5));
    await graphql(a, `mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, { id: minted.createApiToken.apiToken.id });
    const answered = Date.now();
    await within(Promise.all([closed, ended]), 10_000, 'the close');
    ws.push(closedAt - answered);
    sse.push(endedAt - answered);
  }
  const line = (name: string, values: number[]) => {
    const sorted = [...values].sort((x, y) => x - y);
    return `${name}: median ${percentile(sorted, 50)} ms, p95 ${percentile(sorted, 95)} ms, max ${sorted[sorted.length - 1]} ms`;
  };
  console.log(`revocation on A -> close on B, ${ROUNDS} rounds, ${config.redisUrl ? 'through Redis' : `no Redis, EVENTS_POLL_MS ${config.events.pollMs}`}`);
  console.log(`  ${line('WebSocket (4401)', ws)}`);
  console.log(`  ${line('SSE (last result, end)', sse)}`);
  await a.stop();
  await b.stop();
  clearTimeout(deadline);
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});

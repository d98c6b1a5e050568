/**
 * Open connections follow their credential (issue 14): a token revoked, a user demoted or
 * disabled through instance A reaches the WebSockets and SSE streams open on instance B (both on
 * one Neo4j, no Redis, the default EVENTS_POLL_MS). B re-reads credentials on its own only every
 * hour here (CONNECTION_RECHECK_MS), so what closes or narrows a connection in these tests is the
 * change's own event. And SSE streams are held to the WebSocket guards: one per-user cap across
 * both transports, and the Origin allow-list.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawIdOf } from '../../src/ids.js';
import { asLogged } from '../helpers/events-log.js';
import { ADMIN_TOKEN, codesOf, quiescent, resetGraph, runCypher, startTestApp, type TestApp } from '../helpers/app.js';
import { sseSubscribe, type SseStream } from '../helpers/events-sse.js';
import { collect, subscribed, type Collector } from '../helpers/events-ws.js';
import { idOf, ingestOrg } from '../helpers/fixtures.js';
import { eventually } from '../helpers/sync-seed.js';
import { startRedis } from '../helpers/events-redis.js';
import { EVENTS_CHANNEL, type RedisBus } from '../../src/events/bus.js';
import { Redis } from 'ioredis';

let a: TestApp;
let b: TestApp;
const users: Record<string, string> = {};
const entitlements: Record<string, string> = {};

const TASK_EVENTS = `subscription { taskEvents { cursor type task { id user { id } } } }`;
const SYNC_EVENTS = `subscription { syncEvents { cursor type runId } }`;

/** A token for the user (global id); returns the secret and the token's id. */
async function mint(userId: string, scopes: string[]): Promise<{ token: string; id: string }> {
  const data = await a.admin<{ createApiToken: { token: string; apiToken: { id: string } } }>(
    `mutation($u: ID!, $s: [String!]!) { createApiToken(userId: $u, name: "live", scopes: $s) { token apiToken { id } } }`,
    { u: userId, s: scopes },
  );
  return { token: data.createApiToken.token, id: data.createApiToken.apiToken.id };
}

async function setRole(userId: string, role: string): Promise<void> {
  await a.admin(`mutation($u: ID!, $r: Role!) { setUserRole(userId: $u, role: $r) { id } }`, { u: userId, r: role });
}

interface Socket {
  client: Client;
  /** The close code, once the server closed the socket. */
  closed: Promise<{ code: number; reason: string }>;
}

/** A graphql-ws client on `t` that connects at once and reports how the socket closed. */
function socket(t: TestApp, token: string): Socket {
  let report: (event: { code: number; reason: string }) => void = () => {};
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (report = resolve));
  const client = createClient({
    url: t.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => {},
    on: { closed: (event) => report({ code: (event as { code: number }).code, reason: String((event as { reason?: string }).reason ?? '') }) },
  });
  return { client, closed };
}

/** One operation over an open socket: its result, or the errors the server sent. */
function run(client: Client, query: string): Promise<{ data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  return new Promise((resolve, reject) => {
    let result = {};
    client.subscribe(
      { query },
      {
        next: (value) => (result = value),
        error: (error) => (Array.isArray(error) ? resolve({ errors: error }) : reject(error instanceof Error ? error : new Error(JSON.stringify(error)))),
        complete: () => resolve(result),
      },
    );
  });
}

/** A task for the user (raw ids) through the task service: its TASK_CREATED event is committed on A. */
async function taskFor(user: string, entitlement: string): Promise<string> {
  const { created, existing } = await a.app.services.tasks.create([{ kind: 'GRANT', origin: 'ADMIN', userId: user, entitlementId: entitlement }]);
  return (created[0] ?? existing[0])!;
}

const taskIdsOf = (events: Record<string, any>[]): string[] => events.map((e) => rawIdOf('Task', e.task.id as string));

/** Opens an SSE subscription on `t`: the stream once the server has registered it, or null when it ended first (refused). */
async function trySse(t: TestApp, token: string, field: string, query: string, headers: Record<string, string> = {}): Promise<SseStream | null> {
  const events = t.app.services.eventStream;
  const mark = events.opened;
  const stream = await sseSubscribe(t.url, token, field, query, {}, headers);
  let ended = false;
  void stream.ended.then(() => (ended = true));
  while (events.opened <= mark && !ended) await new Promise((r) => setTimeout(r, 10));
  return events.opened > mark ? stream : null;
}

/** Opens an SSE subscription on `t` and waits until the server has registered it. */
async function sseOn(t: TestApp, token: string, field: string, query: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const stream = await trySse(t, token, field, query, headers);
  if (!stream) throw new Error('the SSE subscription was refused');
  return stream;
}

beforeAll(async () => {
  // Both instances start on the emptied log, so that each begins at its start.
  const cleaner = await startTestApp();
  await resetGraph(cleaner.app);
  await cleaner.stop();
  a = await startTestApp();
  b = await startTestApp({ CONNECTION_RECHECK_MS: '3600000', WS_MAX_CONNECTIONS_PER_USER: '3', ALLOWED_ORIGINS: 'https://app.example' });
  await ingestOrg(a, 6, [{ externalId: 'gh', name: 'GitHub', entitlements: ['gh-read', 'gh-write', 'gh-admin'] }]);
  for (const u of ['u0', 'u1', 'u2', 'u3', 'u4', 'u5']) users[u] = await idOf(a, 'user', u);
  for (const e of ['gh-read', 'gh-write', 'gh-admin']) entitlements[e] = rawIdOf('Entitlement', await idOf(a, 'entitlement', e));
  await quiescent(a, b);
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

describe('a token revoked on instance A', () => {
  it('closes the WebSocket open with it on instance B with 4401, and only that one', async () => {
    const revoked = await mint(users.u1!, ['read']);
    const kept = await mint(users.u1!, ['read']);
    const dead = socket(b, revoked.token);
    const alive = socket(b, kept.token);
    const [deadEvents, aliveEvents] = await subscribed(b, 2, () => [collect(dead.client, 'taskEvents', TASK_EVENTS), collect(alive.client, 'taskEvents', TASK_EVENTS)] as const);
    expect((await run(dead.client, `{ viewer { id } }`)).errors).toBeUndefined();

    await a.admin(`mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, { id: revoked.id });
    const close = await dead.closed;
    expect(close.code).toBe(4401);
    expect(close.reason).toMatch(/revoked/);

    // The other token of the same user keeps its connection and its events.
    const task = await taskFor(rawIdOf('User', users.u1!), entitlements['gh-read']!);
    await aliveEvents.until((events) => taskIdsOf(events).includes(task));
    expect(deadEvents.events()).toHaveLength(0);
    expect((await run(alive.client, `{ viewer { id } }`)).errors).toBeUndefined();
    // Reconnecting with the revoked token is refused, as HTTP is.
    const again = socket(b, revoked.token);
    expect((await again.closed).code).toBe(4403);
    expect(codesOf(await b.request(`{ viewer { id } }`, {}, revoked.token))).toEqual(['UNAUTHENTICATED']);
    aliveEvents.stop();
    await alive.client.dispose();
  });

  it('ends the SSE stream open with it on instance B with UNAUTHENTICATED', async () => {
    const revoked = await mint(users.u1!, ['read']);
    const stream = await sseOn(b, revoked.token, 'taskEvents', TASK_EVENTS);
    expect(stream.status).toBe(200);
    await a.admin(`mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, { id: revoked.id });
    await stream.ended;
    expect(stream.errors().map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(stream.completed).toBe(true);
    expect(stream.events()).toHaveLength(0);
  });
});

describe('a user disabled through ingest on instance A', () => {
  it('closes their WebSockets (4401) and ends their SSE streams on instance B', async () => {
    const { token } = await mint(users.u3!, ['read']);
    const ws = socket(b, token);
    const wsEvents = await subscribed(b, 1, () => collect(ws.client, 'taskEvents', TASK_EVENTS));
    const stream = await sseOn(b, token, 'taskEvents', TASK_EVENTS);
    await a.admin(`mutation { upsertUsers(users: [{ externalId: "u3", email: "u3@example.com", displayName: "User 3", managerExternalId: "u0", status: DISABLED }]) { updated } }`);
    expect((await ws.closed).code).toBe(4401);
    await stream.ended;
    expect(stream.errors().map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(wsEvents.events()).toHaveLength(0);
  });
});

describe('an auditor demoted on instance A', () => {
  it('sees on instance B, from the next event and operation on, only what a user may', async () => {
    const auditor = rawIdOf('User', users.u2!);
    await setRole(users.u2!, 'AUDITOR');
    const { token } = await mint(users.u2!, ['read']);
    const ws = socket(b, token);
    let syncSub: Collector, wsTasks: Collector;
    await subscribed(b, 2, () => {
      syncSub = collect(ws.client, 'syncEvents', SYNC_EVENTS);
      wsTasks = collect(ws.client, 'taskEvents', TASK_EVENTS);
    });
    const sse = await sseOn(b, token, 'taskEvents', TASK_EVENTS);
    expect((await run(ws.client, `{ auditLog(first: 1) { totalCount } }`)).errors).toBeUndefined();

    // As an auditor: another user's task events arrive.
    const before = await taskFor(rawIdOf('User', users.u0!), entitlements['gh-read']!);
    await wsTasks!.until((events) => taskIdsOf(events).includes(before));
    await sse.until((s) => taskIdsOf(s.events()).includes(before));

    await setRole(users.u2!, 'USER');
    // Another user's task, then one of the demoted user's own: the first is no longer delivered.
    const others = await taskFor(rawIdOf('User', users.u0!), entitlements['gh-write']!);
    const own = await taskFor(auditor, entitlements['gh-read']!);
    await wsTasks!.until((events) => taskIdsOf(events).includes(own));
    await sse.until((s) => taskIdsOf(s.events()).includes(own));
    expect(taskIdsOf(wsTasks!.events())).toEqual([before, own]);
    expect(taskIdsOf(sse.events())).toEqual([before, own]);
    expect(taskIdsOf(wsTasks!.events())).not.toContain(others);

    // Sync events are for admins and auditors: the stream ends at its next event, with FORBIDDEN.
    await a.app.services.db.write('test.connections', async (tx) => tx.unit.recordEvents(asLogged([{ type: 'SYNC_STARTED', runId: 'r-demoted', profileId: 'p' }])));
    await syncSub!.completed;
    expect(syncSub!.events()).toHaveLength(0);
    expect(syncSub!.errors().map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    // Operations on the same socket run as a user now; the socket stays open.
    expect(codesOf(await run(ws.client, `{ auditLog(first: 1) { totalCount } }`))).toEqual(['FORBIDDEN']);
    expect((await run(ws.client, `{ viewer { id } }`)).errors).toBeUndefined();
    sse.close();
    await ws.client.dispose();
  });
});

describe('through Redis (REDIS_URL), with the poll slowed to a minute', () => {
  it('closes on instance B the WebSocket and SSE stream of a token revoked on instance A', async () => {
    const redis = await startRedis();
    const ra = await startTestApp({ REDIS_URL: redis.url });
    const rb = await startTestApp({ REDIS_URL: redis.url, EVENTS_POLL_MS: '60000', CONNECTION_RECHECK_MS: '3600000' });
    const probe = new Redis(redis.url);
    try {
      const busOf = (t: TestApp) => (t.app.services.eventStream as unknown as { bus: RedisBus }).bus;
      await Promise.all([busOf(ra).ready(), busOf(rb).ready()]);
      await eventually(async () => Number(((await probe.call('PUBSUB', 'NUMSUB', EVENTS_CHANNEL)) as [string, number])[1]) >= 2);
      const revoked = await mint(users.u4!, ['read']);
      const ws = socket(rb, revoked.token);
      await subscribed(rb, 1, () => collect(ws.client, 'taskEvents', TASK_EVENTS));
      const stream = await sseOn(rb, revoked.token, 'taskEvents', TASK_EVENTS);
      const body = await ra.request(`mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, { id: revoked.id });
      expect(body.errors).toBeUndefined();
      // Well before rb's next poll (a minute) or recheck (an hour): only Redis can have told it.
      const closed = await Promise.race([ws.closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000))]);
      expect(closed?.code).toBe(4401);
      await stream.ended;
      expect(stream.errors().map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    } finally {
      probe.disconnect();
      await ra.stop();
      await rb.stop();
      await redis.stop();
    }
  });
});

describe('the cache of an open connection', () => {
  it('is read again within CONNECTION_RECHECK_MS: a token revoked behind the API closes too', async () => {
    const c = await startTestApp({ CONNECTION_RECHECK_MS: '200' });
    try {
      const revoked = await mint(users.u4!, ['read']);
      const ws = socket(c, revoked.token);
      await subscribed(c, 1, () => collect(ws.client, 'taskEvents', TASK_EVENTS));
      const stream = await sseOn(c, revoked.token, 'taskEvents', TASK_EVENTS);
      // Straight in the graph: no event tells anyone.
      await runCypher(c, `MATCH (t:ApiToken {id: $id}) SET t.revokedAt = $now`, { id: revoked.id, now: new Date().toISOString() });
      expect((await ws.closed).code).toBe(4401);
      await stream.ended;
      expect(stream.errors().map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    } finally {
      await c.stop();
    }
  });
});

describe('SSE under the WebSocket guards', () => {
  it('counts WebSockets and SSE streams of one user together against WS_MAX_CONNECTIONS_PER_USER', async () => {
    const { token } = await mint(users.u5!, ['read']);
    const sockets = [socket(b, token), socket(b, token), socket(b, token)];
    await subscribed(b, 3, () => sockets.map((s) => collect(s.client, 'taskEvents', TASK_EVENTS)));
    // Three WebSockets open (the cap here): an SSE subscription is refused.
    const refused = await sseSubscribe(b.url, token, 'taskEvents', TASK_EVENTS);
    await refused.ended;
    expect(refused.errors().map((e) => [e.extensions?.code, e.extensions?.reason, e.extensions?.max])).toEqual([['FORBIDDEN', 'CONNECTION_LIMIT', 3]]);
    // Another user is not affected.
    const other = await mint(users.u0!, ['read']);
    const otherStream = await sseOn(b, other.token, 'taskEvents', TASK_EVENTS);
    otherStream.close();

    // One WebSocket closes: an SSE stream takes its slot, and then a WebSocket is refused (4403).
    await sockets[0]!.client.dispose();
    const admitted = await eventually(() => trySse(b, token, 'taskEvents', TASK_EVENTS));
    const fourth = socket(b, token);
    expect((await fourth.closed).code).toBe(4403);
    // The SSE stream ends: its slot is free for a WebSocket again.
    admitted.close();
    await eventually(async () => {
      const retry = socket(b, token);
      const ok = (await Promise.race([run(retry.client, `{ viewer { id } }`).then(() => true), retry.closed.then(() => false)])) as boolean;
      await retry.client.dispose();
      return ok;
    });
    for (const s of sockets.slice(1)) await s.client.dispose();
  });

  it('refuses an SSE subscription from a browser origin outside ALLOWED_ORIGINS', async () => {
    const { token } = await mint(users.u0!, ['read']);
    const evil = await sseSubscribe(b.url, token, 'taskEvents', TASK_EVENTS, {}, { origin: 'https://evil.example' });
    await evil.ended;
    expect(evil.errors().map((e) => [e.extensions?.code, e.extensions?.reason])).toEqual([['FORBIDDEN', 'ORIGIN']]);
    const allowed = await sseOn(b, token, 'taskEvents', TASK_EVENTS, { origin: 'https://app.example' });
    expect(allowed.errors()).toHaveLength(0);
    allowed.close();
    // Without an Origin (a non-browser client) it is admitted, as on WebSocket.
    const cli = await sseOn(b, token, 'taskEvents', TASK_EVENTS);
    expect(cli.errors()).toHaveLength(0);
    cli.close();
    expect(codesOf(await b.request(`{ viewer { id } }`, {}, ADMIN_TOKEN))).toEqual([]);
  });
});

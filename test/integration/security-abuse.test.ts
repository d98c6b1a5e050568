/**
 * Abuse controls (issue 7, item 4): per-token rate limits with a retry hint, CSRF prevention,
 * the WebSocket origin allow-list and connection limit, persisted-operations mode for partners.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../../src/auth/viewer.js';
import { WsGuard, isAllowedOrigin } from '../../src/security/ws.js';
import { TokenBucketLimiter } from '../../src/security/rate-limit.js';
import { ADMIN_TOKEN, codesOf, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';
import { expectNoLeak, postJson, raw, wsClient, wsRun } from '../helpers/security-client.js';

let t: TestApp;
let userToken: string;
let otherToken: string;
beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, 3, [{ externalId: 'app1', name: 'App 1', entitlements: ['e1'] }]);
  userToken = await tokenFor(t, await idOf(t, 'user', 'u1'), ['read', 'request']);
  otherToken = await tokenFor(t, await idOf(t, 'user', 'u2'), ['read', 'ingest']);
});
afterAll(async () => t?.stop());

const VIEWER = `{ viewer { id } }`;

describe('rate limits', () => {
  it('throttles a token past its burst with RATE_LIMITED, retryAfterSeconds and a Retry-After header, per token', async () => {
    const limited = await startTestApp({ RATE_LIMIT_PER_MINUTE: '6', RATE_LIMIT_BURST: '3' });
    try {
      for (let i = 0; i < 3; i += 1) {
        const ok = await postJson(limited.url, { query: VIEWER }, userToken);
        expect(ok.status).toBe(200);
        expect(ok.body.errors).toBeUndefined();
      }
      const throttled = await postJson(limited.url, { query: VIEWER }, userToken);
      expect(throttled.status).toBe(429);
      expect(codesOf(throttled.body)).toEqual(['RATE_LIMITED']);
      const retry = throttled.body.errors?.[0]?.extensions?.retryAfterSeconds as number;
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(10);
      expect(throttled.headers.get('retry-after')).toBe(String(retry));
      expect(throttled.body.data ?? null).toBeNull();
      expectNoLeak(throttled.body.errors);

      // Another token has its own bucket.
      const other = await postJson(limited.url, { query: VIEWER }, otherToken);
      expect(other.status).toBe(200);
      expect(other.body.errors).toBeUndefined();

      // The same token over WebSocket shares the bucket.
      const client = wsClient(limited.url, userToken);
      try {
        const overWs = await wsRun(client, VIEWER);
        expect(overWs.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
      } finally {
        await client.dispose();
      }
    } finally {
      await limited.stop();
    }
  });

  it('throttles requests without a valid token by client address', async () => {
    const limited = await startTestApp({ RATE_LIMIT_ANONYMOUS_PER_MINUTE: '6', RATE_LIMIT_ANONYMOUS_BURST: '2' });
    try {
      const codes: unknown[] = [];
      for (let i = 0; i < 3; i += 1) codes.push(codesOf((await postJson(limited.url, { query: VIEWER }, `guess-${i}`)).body)[0]);
      expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'RATE_LIMITED']);
      // A valid token is not held back by the address's bucket.
      expect((await postJson(limited.url, { query: VIEWER }, userToken)).body.errors).toBeUndefined();
    } finally {
      await limited.stop();
    }
  });

  it('refills at the configured rate (token bucket)', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ perMinute: 60, burst: 2 }, () => now);
    expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 1000;
    expect(limiter.take('k').allowed).toBe(true);
    expect(new TokenBucketLimiter({ perMinute: 0, burst: 1 }).take('k').allowed).toBe(true);
  });
});

describe('CSRF prevention', () => {
  it('refuses simple (non-preflighted) requests without the CSRF header and runs nothing', async () => {
    const users = async () => ((await t.admin(`{ users { totalCount } }`)) as { users: { totalCount: number } }).users.totalCount;
    const before = await users();
    const mutation = `mutation { upsertUsers(users: [{ externalId: "csrf", email: "c@example.com", displayName: "C" }]) { created } }`;
    const form = await raw(t.url, {
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: new URLSearchParams({ query: mutation }).toString(),
    });
    expect(form.status).toBe(403);
    expect(codesOf(form.body)).toEqual(['FORBIDDEN']);
    const textPlain = await raw(t.url, { headers: { 'content-type': 'text/plain', authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify({ query: mutation }) });
    expect(textPlain.status).toBe(403);
    const get = await raw(`${t.url}?query=${encodeURIComponent('{ users { totalCount } }')}`, { method: 'GET', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(get.status).toBe(403);
    expect(codesOf(get.body)).toEqual(['FORBIDDEN']);
    expect(await users()).toBe(before);
  });

  it('lets JSON POSTs and GETs with the x-graphql-csrf header through', async () => {
    const get = await raw(`${t.url}?query=${encodeURIComponent('{ users { totalCount } }')}`, {
      method: 'GET',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-graphql-csrf': '1', accept: 'application/json' },
    });
    expect(get.status).toBe(200);
    expect(get.body.errors).toBeUndefined();
    const post = await postJson(t.url, { query: '{ users { totalCount } }' }, ADMIN_TOKEN);
    expect(post.status).toBe(200);
  });

  it('still serves GraphiQL to a browser', async () => {
    const response = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/graphiql/i);
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    fetch(t.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
  const post = (origin: string) =>
    fetch(t.url, { method: 'POST', headers: { origin, 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify({ query: VIEWER }) });

  it("answers a listed origin (the API's own by default) with its CORS headers and credentials", async () => {
    const own = new URL(t.app.services.config.publicUrl).origin;
    for (const response of [await preflight(own), await post(own)]) {
      expect(response.headers.get('access-control-allow-origin')).toBe(own);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    }
  });

  it('gives any other origin no CORS headers at all, so its pages read nothing and send no credentials', async () => {
    for (const response of [await preflight('https://evil.example'), await post('https://evil.example')]) {
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });
});

describe('WebSocket origin and connections', () => {
  it('refuses a browser origin that is not allowed at connect (4403), and allows the own origin and non-browser clients', async () => {
    const evil = wsClient(t.url, ADMIN_TOKEN, 'https://evil.example');
    const own = wsClient(t.url, ADMIN_TOKEN, new URL(t.url).origin);
    const cli = wsClient(t.url, ADMIN_TOKEN);
    try {
      await expect(wsRun(evil, `{ users { totalCount } }`)).rejects.toThrow(/4403/);
      expect((await wsRun(own, `{ users { totalCount } }`)).errors).toBeUndefined();
      expect((await wsRun(cli, `{ users { totalCount } }`)).errors).toBeUndefined();
    } finally {
      await Promise.all([evil.dispose(), own.dispose(), cli.dispose()]);
    }
  });

  it('checks origins against the allow-list, the own host, or *', () => {
    expect(isAllowedOrigin(undefined, 'api:4000', ['https://app.example'])).toBe(true);
    expect(isAllowedOrigin('https://app.example', 'api:4000', ['https://app.example'])).toBe(true);
    expect(isAllowedOrigin('http://api:4000', 'api:4000', ['https://app.example'])).toBe(true);
    expect(isAllowedOrigin('https://evil.example', 'api:4000', ['https://app.example'])).toBe(false);
    expect(isAllowedOrigin('null', 'api:4000', ['https://app.example'])).toBe(false);
    expect(isAllowedOrigin('https://evil.example', 'api:4000', ['*'])).toBe(true);
  });

  it('admits at most WS_MAX_CONNECTIONS_PER_USER sockets per user and frees a slot on close', () => {
    const guard = new WsGuard({ allowedOrigins: [], wsMaxConnectionsPerUser: 2 });
    const alice: Viewer = { userId: 'alice', role: 'USER', scopes: new Set(['read']), tokenId: 't1' };
    const aliceOtherToken: Viewer = { ...alice, tokenId: 't2' };
    const bob: Viewer = { userId: 'bob', role: 'USER', scopes: new Set(['read']), tokenId: 't3' };
    const [c1, c2, c3, c4] = [{}, {}, {}, {}];
    expect(guard.admit(c1, alice)).toBe(true);
    expect(guard.admit(c2, aliceOtherToken)).toBe(true);
    expect(guard.admit(c3, alice)).toBe(false);
    expect(guard.admit(c4, bob)).toBe(true);
    guard.release(c1);
    guard.release(c1);
    guard.release(c3);
    expect(guard.admit(c3, alice)).toBe(true);
    expect(guard.connections.count('user:alice')).toBe(2);
  });
});

describe('persisted-operations mode', () => {
  const registered = `query Users { users(first: 5) { totalCount } }`;
  const hash = createHash('sha256').update(registered).digest('hex');
  let persisted: TestApp;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'persisted-'));
    const file = join(dir, 'operations.json');
    writeFileSync(file, JSON.stringify({ [hash]: registered }));
    persisted = await startTestApp({ PERSISTED_OPERATIONS_FILE: file });
  });
  afterAll(async () => persisted?.stop());

  it('lets a partner (ingest) token run only registered operations, by hash or by text, on HTTP and WebSocket', async () => {
    const partner = otherToken;
    const arbitrary = await postJson(persisted.url, { query: `{ users(first: 6) { totalCount } }` }, partner);
    expect(arbitrary.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'PERSISTED_OPERATIONS_ONLY' });
    expect(arbitrary.body.data ?? null).toBeNull();
    const byHash = await postJson(persisted.url, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, partner);
    expect(byHash.body.errors).toBeUndefined();
    expect(byHash.body.data).toEqual({ users: { totalCount: 3 } });
    const byText = await postJson(persisted.url, { query: `query Users {\n  users(first: 5) { totalCount }\n}` }, partner);
    expect(byText.body.errors).toBeUndefined();
    const unknownHash = await postJson(persisted.url, { extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }, partner);
    expect(codesOf(unknownHash.body)).toEqual(['BAD_USER_INPUT']);
    expectNoLeak([...(arbitrary.body.errors ?? []), ...(unknownHash.body.errors ?? [])]);

    const client = wsClient(persisted.url, partner);
    try {
      const overWs = await wsRun(client, `{ users(first: 6) { totalCount } }`);
      expect(overWs.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'PERSISTED_OPERATIONS_ONLY' });
      expect((await wsRun(client, registered)).data).toEqual({ users: { totalCount: 3 } });
    } finally {
      await client.dispose();
    }
  });

  it('leaves admins and tokens without the ingest scope free to run any operation', async () => {
    expect((await persisted.request(`{ apps { totalCount } }`)).errors).toBeUndefined();
    expect((await persisted.request(`{ viewer { id } }`, {}, userToken)).errors).toBeUndefined();
  });
});

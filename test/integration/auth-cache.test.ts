/**
 * Bearer tokens on HTTP are read from Neo4j once per AUTH_CACHE_MS per instance
 * (src/auth/viewer-cache.ts), and a credential change ends that at once: on the instance that made
 * it before the change answers, on the others as soon as they read its event from the log. Two
 * instances on one Neo4j, no Redis; B keeps viewers for an hour, so what ends them on B in these
 * tests is the change's event; A keeps them for the default second, so a change that bypassed the
 * API still reaches it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, codesOf, quiescent, resetGraph, runCypher, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg } from '../helpers/fixtures.js';
import { eventually } from '../helpers/sync-seed.js';

let a: TestApp;
let b: TestApp;
const users: Record<string, string> = {};

async function mint(userId: string, scopes: string[]): Promise<{ token: string; id: string }> {
  const data = await a.admin<{ createApiToken: { token: string; apiToken: { id: string } } }>(
    `mutation($u: ID!, $s: [String!]!) { createApiToken(userId: $u, name: "cache", scopes: $s) { token apiToken { id } } }`,
    { u: userId, s: scopes },
  );
  return { token: data.createApiToken.token, id: data.createApiToken.apiToken.id };
}

const tokenReads = (t: TestApp): number => t.app.services.db.statementCounts.get('auth/find-token') ?? 0;
const viewerOf = (t: TestApp, token: string) => t.request<{ viewer: { id: string; role: string } | null }>(`{ viewer { id role } }`, {}, token);
const refused = async (t: TestApp, token: string): Promise<boolean> => codesOf(await viewerOf(t, token)).includes('UNAUTHENTICATED');

beforeAll(async () => {
  const cleaner = await startTestApp();
  await resetGraph(cleaner.app);
  await cleaner.stop();
  a = await startTestApp();
  b = await startTestApp({ AUTH_CACHE_MS: '3600000', CONNECTION_RECHECK_MS: '3600000' });
  await ingestOrg(a, 4, [{ externalId: 'gh', name: 'GitHub', entitlements: ['gh-read'] }]);
  for (const u of ['u0', 'u1', 'u2', 'u3']) users[u] = await idOf(a, 'user', u);
  await quiescent(a, b);
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

describe('a bearer token on HTTP', () => {
  it('is read from Neo4j once for a burst of requests on one instance', async () => {
    const { token } = await mint(users.u1!, ['read']);
    const before = tokenReads(b);
    for (let i = 0; i < 5; i += 1) expect((await viewerOf(b, token)).data?.viewer?.id).toBe(users.u1);
    expect(tokenReads(b) - before).toBe(1);
  });

  it('is not kept when it does not authenticate: an unknown token is read every time', async () => {
    const before = tokenReads(b);
    for (let i = 0; i < 3; i += 1) expect(await refused(b, 'age_not-a-token')).toBe(true);
    expect(tokenReads(b) - before).toBe(3);
  });

  it('revoked on A stops at once on A and, from its event on, on B', async () => {
    const { token, id } = await mint(users.u1!, ['read']);
    const other = await mint(users.u1!, ['read']);
    for (const t of [a, b]) for (const k of [token, other.token]) expect(await refused(t, k)).toBe(false);
    await a.admin(`mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, { id });
    expect(await refused(a, token)).toBe(true);
    await eventually(() => refused(b, token));
    // The user's other token is not touched.
    expect(await refused(a, other.token)).toBe(false);
    expect(await refused(b, other.token)).toBe(false);
  });

  it('of a user disabled on A stops on B; of a user given a new role on A, B answers with the new role', async () => {
    const disabled = await mint(users.u2!, ['read']);
    const promoted = await mint(users.u3!, ['read']);
    expect(await refused(b, disabled.token)).toBe(false);
    expect((await viewerOf(b, promoted.token)).data?.viewer?.role).toBe('USER');
    await a.admin(`mutation { upsertUsers(users: [{ externalId: "u2", email: "u2@example.com", displayName: "User 2", managerExternalId: "u0", status: DISABLED }]) { updated } }`);
    await a.admin(`mutation($u: ID!) { setUserRole(userId: $u, role: AUDITOR) { id } }`, { u: users.u3 });
    await eventually(() => refused(b, disabled.token));
    await eventually(async () => (await viewerOf(b, promoted.token)).data?.viewer?.role === 'AUDITOR');
  });

  it('revoked behind the API (in Neo4j) stops within AUTH_CACHE_MS', async () => {
    const { token, id } = await mint(users.u1!, ['read']);
    expect(await refused(a, token)).toBe(false);
    await runCypher(a, `MATCH (t:ApiToken {id: $id}) SET t.revokedAt = toString(datetime())`, { id });
    await eventually(() => refused(a, token), 5000);
  });

  it('the bootstrap admin credential is never read from Neo4j', async () => {
    const before = tokenReads(a);
    expect((await a.request(`{ viewer { id } }`, {}, ADMIN_TOKEN)).errors).toBeUndefined();
    expect(tokenReads(a)).toBe(before);
  });
});

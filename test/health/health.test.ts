/**
 * Health and fail-fast: GET /health answers 200 while Neo4j answers and 503 with the reason while
 * it is down, reusing one probe for many callers; while Neo4j is down requests fail with
 * SERVICE_UNAVAILABLE and a retry hint instead of waiting on the driver's retries; a sync that
 * failed on the outage has its run marked FAILED and its lease freed once Neo4j is back, by the
 * instance that lives on. Runs on a Neo4j of its own, which it stops and wipes at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNeo4j, stopNeo4j, wipeNeo4j } from '../../scripts/neo4j.js';
import { quiescent, resetGraph, startTestApp, ADMIN_TOKEN, type TestApp } from '../helpers/app.js';
import { codeOf, expectNoInternals } from '../helpers/foundation-graph.js';

const NAME = 'health';
// Beside the suite's own Neo4j (NEO4J_TEST_PORT), so that two checkouts testing at once set both apart.
const PORT = Number(process.env.NEO4J_HEALTH_TEST_PORT ?? Number(process.env.NEO4J_TEST_PORT ?? 7688) + 25);
// The bounds below are no speed measurement: they only tell a bounded failure from a request left
// waiting on the driver's retries, which this app lets run for two minutes.
const BOUNDED = { health: 10_000, request: 30_000 };
let t: TestApp | undefined;

beforeAll(async () => {
  const server = await startNeo4j({ name: NAME, port: PORT, heap: '256m', pageCache: '64m' });
  // A driver retry far longer than any bound here: what fails fast is the availability guard.
  t = await startTestApp({ NEO4J_URI: server.uri, NEO4J_MAX_RETRY_MS: '120000', NEO4J_UNAVAILABLE_MS: '2000' });
  await resetGraph(t.app);
}, 300_000);

afterAll(async () => {
  await t?.stop();
  await stopNeo4j(NAME);
  wipeNeo4j(NAME);
}, 120_000);

const health = async () => {
  const response = await fetch(t!.url.replace('/graphql', '/health'), { signal: AbortSignal.timeout(BOUNDED.health) });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown> };
};

const post = async (query: string, variables: Record<string, unknown> = {}) => {
  const response = await fetch(t!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(BOUNDED.request),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { data?: any; errors?: { extensions?: Record<string, unknown> }[] } };
};

/** Polls until `check` holds; the bound is generous, the test asserts outcomes, not speed. */
async function eventually(check: () => Promise<boolean>, attempts = 480): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('condition not reached');
}

/** Many /health calls at once reach Neo4j about once: they share the probe and reuse it for a second. */
async function manyHealthCalls(calls: number): Promise<{ statuses: Set<number>; probes: number }> {
  const before = t!.app.services.db.availability.probes;
  const answers = await Promise.all(Array.from({ length: calls }, () => health()));
  return { statuses: new Set(answers.map((a) => a.status)), probes: t!.app.services.db.availability.probes - before };
}

describe('GET /health and requests while Neo4j is down', () => {
  it('answer 200 while Neo4j answers, 503 SERVICE_UNAVAILABLE with a retry hint while it is down, and recover by themselves', async () => {
    expect(await health()).toMatchObject({ status: 200, body: { status: 'ok', neo4j: true } });
    const up = await manyHealthCalls(300);
    expect(up.statuses).toEqual(new Set([200]));
    expect(up.probes).toBeLessThan(30);
    await t!.admin(`mutation { upsertUsers(users: [{ externalId: "h1", email: "h1@x.example", displayName: "H" }]) { created } }`);

    await stopNeo4j(NAME);
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable', neo4j: false, reason: expect.stringMatching(/^Neo4j: /) });
    expect(down.retryAfter).toMatch(/^\d+$/);
    const downMany = await manyHealthCalls(300);
    expect(downMany.statuses).toEqual(new Set([503]));
    expect(downMany.probes).toBeLessThan(30);

    // The API keeps running: a query, a mutation and a sync get a typed, bounded refusal, not a hang or INTERNAL.
    for (const query of [
      `{ users { totalCount } }`,
      `mutation { upsertUsers(users: [{ externalId: "h2", email: "h2@x.example", displayName: "H2" }]) { created } }`,
      `{ auditLog(first: 5) { totalCount } }`,
    ]) {
      const answer = await post(query);
      expect(answer.status, query).toBe(503);
      expect(codeOf(answer.body as never), query).toBe('SERVICE_UNAVAILABLE');
      expect(answer.body.errors?.[0]?.extensions?.retryAfterSeconds).toEqual(expect.any(Number));
      expect(answer.retryAfter).toMatch(/^\d+$/);
      expectNoInternals(answer.body as never);
      expect(JSON.stringify(answer.body)).not.toMatch(new RegExp(`${PORT}|bolt:|ECONNREFUSED|ServiceUnavailable`));
    }

    await startNeo4j({ name: NAME, port: PORT, heap: '256m', pageCache: '64m' });
    await eventually(async () => (await health()).status === 200);
    await eventually(async () => (await t!.request(`{ users { totalCount } }`)).errors === undefined, 120);
    const data = await t!.admin(`{ users { totalCount } userByExternalId(externalId: "h1") { displayName } }`);
    expect(data).toEqual({ users: { totalCount: 1 }, userByExternalId: { displayName: 'H' } });
  }, 400_000);

  it('a sync that failed on the outage is marked FAILED and frees its lease once Neo4j is back: Sync now works at once', async () => {
    await t!.admin(`mutation { upsertUsers(users: [{ externalId: "h3", email: "h3@x.example", displayName: "H3" }]) { created } }`);
    await t!.admin(`mutation { upsertApps(apps: [{ externalId: "hr", name: "HR" }]) { created } }`);
    await t!.admin(`mutation { upsertEntitlements(entitlements: [{ externalId: "hr-staff", appExternalId: "hr", name: "Staff" }]) { created } }`);
    await t!.admin(`mutation { upsertGrants(grants: [{ userExternalId: "h3", entitlementExternalId: "hr-staff" }]) { created } }`);
    const entitlementId = (await t!.admin(`{ entitlementByExternalId(externalId: "hr-staff") { id } }`)).entitlementByExternalId.id;
    const profileId = (await t!.admin(`mutation { createAccessProfile(input: { name: "Staff" }) { id } }`)).createAccessProfile.id;
    await t!.admin(`mutation($p: ID!, $i: MembershipAutomationInput!) { setMembershipAutomation(profileId: $p, input: $i) { id } }`, {
      p: profileId,
      i: { enabled: true, mode: 'SYNC_MEMBERS_ONLY', conditionEntitlementIds: [entitlementId] },
    });
    await quiescent(t!);

    // The blip comes right after the next run has taken its lease.
    const sync = t!.app.services.sync;
    let stopped: Promise<void> | undefined;
    sync.hooks.afterStart = async () => {
      sync.hooks.afterStart = undefined;
      stopped = stopNeo4j(NAME);
      await stopped;
    };
    const SYNC_NOW = `mutation($p: ID!) { syncNow(profileId: $p) { id state } }`;
    const first = (await t!.admin(SYNC_NOW, { p: profileId })).syncNow;
    expect(first.state).toBe('RUNNING');
    await eventually(async () => (await health()).status === 503);
    // Up again once the blip's server has gone (a start while it stops would find it still running).
    await stopped;
    await startNeo4j({ name: NAME, port: PORT, heap: '256m', pageCache: '64m' });
    await eventually(async () => (await health()).status === 200);
    // The instance recorded the failure (and freed the lease) once it could: its background work is done.
    await quiescent(t!);

    const failed = (await t!.admin(`query($id: ID!) { node(id: $id) { ... on SyncRun { state failReason } } }`, { id: first.id })).node;
    expect(failed).toMatchObject({ state: 'FAILED', failReason: expect.stringMatching(/unavailable/i) });
    const next = (await t!.admin(SYNC_NOW, { p: profileId })).syncNow;
    expect(next.id).not.toBe(first.id);
    await quiescent(t!);
    const finished = (await t!.admin(`query($id: ID!) { node(id: $id) { ... on SyncRun { state } } }`, { id: next.id })).node;
    expect(finished.state).toBe('COMPLETED');
  }, 600_000);
});

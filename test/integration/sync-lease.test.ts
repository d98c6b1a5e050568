/**
 * One sync per profile at a time: ten concurrent syncNow calls answer at once with one run and make
 * no duplicate task, and a change made while it runs gets a further pass;
 * a sync killed half-way (its process SIGKILLed) is redone after its lease expires, with no
 * duplicate or lost task; a change of a condition grant syncs the profile within seconds.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, codesOf, quiescent, resetGraph, startTestApp, testNeo4jUri, type TestApp } from '../helpers/app.js';
import { collect, wsClient } from '../helpers/events-ws.js';
import { idOf, ingestOrg } from '../helpers/fixtures.js';
import { createProfile, cypher, eventually, grant, ingestGrants, openTasks, setAutomation, syncNowDone, users } from '../helpers/sync-seed.js';

let t: TestApp;
let pendingPolicy: string;
const raw = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
const SYNC_NOW = `mutation($p: ID!) { syncNow(profileId: $p) { id state enrollTasksCreated } }`;

beforeAll(async () => {
  t = await startTestApp({ SYNC_LEASE_SECONDS: '2' });
  await resetGraph(t.app);
  await ingestOrg(t, 120, [{ externalId: 'app', name: 'App', entitlements: ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'] }]);
  const approver = (await cypher<{ id: string }>(t, `MATCH (u:User {externalId: 'u119'}) RETURN u.id AS id`))[0]!.id;
  const policy = await t.admin(`mutation($s: [PolicyStepInput!]!) { createPolicy(name: "named", steps: $s) { id } }`, {
    s: [{ approverType: 'USERS', userIds: [Buffer.from(`User:${approver}`).toString('base64')] }],
  });
  pendingPolicy = policy.createPolicy.id;
});
afterAll(async () => t?.stop());

const runOf = async (id: string) => (await t.admin(`query($id: ID!) { node(id: $id) { ... on SyncRun { state enrollTasksCreated } } }`, { id })).node;

/**
 * A profile whose rule matches `members` (they hold `condition`) and whose automation is on, but
 * which has not synced yet: enabling it through the API would sync at once, so the flag is set in
 * the graph, and only the syncs the test starts run.
 */
async function profileToSync(name: string, condition: string, members: string[]) {
  const p = await createProfile(t, name, { enrollmentPolicyId: pendingPolicy });
  await grant(t, members.map((u) => [u, condition] as [string, string]));
  await setAutomation(t, p.id, { enabled: false, conditionEntitlementIds: [await idOf(t, 'entitlement', condition)] });
  await cypher(t, `MATCH (p:AccessProfile {id: $p}) SET p.automationEnabled = true`, { p: p.raw });
  return p;
}

describe('the lease', () => {
  it('ten concurrent syncNow calls on one profile: all answer at once with the one run, no duplicate task', async () => {
    const p = await profileToSync('Concurrent', 'c0', users(0, 50));
    // Hold the run open until every call has answered, so none can start after it ends.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    t.app.services.sync.hooks.afterStart = () => gate;
    const results = await Promise.all(Array.from({ length: 10 }, () => t.request<{ syncNow: { id: string; state: string } }>(SYNC_NOW, { p: p.id })));
    t.app.services.sync.hooks.afterStart = undefined;
    expect(results.flatMap((b) => codesOf(b))).toEqual([]);
    expect(new Set(results.map((b) => b.data!.syncNow.id)).size).toBe(1);
    expect(results.map((b) => b.data!.syncNow.state)).toEqual(Array(10).fill('RUNNING'));
    open();
    await quiescent(t);
    expect(await runOf(results[0]!.data!.syncNow.id)).toMatchObject({ state: 'COMPLETED', enrollTasksCreated: 50 });
    const runs = await cypher(t, `MATCH (r:SyncRun)-[:OF_PROFILE]->(:AccessProfile {id: $p}) RETURN count(r) AS n`, { p: p.raw });
    expect(Number(runs[0]!.n)).toBe(1);
    const tasks = await cypher(t, `MATCH (t:Task)-[:VIA_PROFILE]->(:AccessProfile {id: $p}) RETURN count(t) AS n, count(DISTINCT t.openKey) AS keys`, { p: p.raw });
    expect(tasks[0]).toMatchObject({ n: 50, keys: 50 });
  });

  it('syncNow while a sync runs returns that run, and a change made during it gets a further pass', async () => {
    const p = await profileToSync('Changed meanwhile', 'c5', users(70, 80));
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    t.app.services.sync.hooks.afterStart = () => gate;
    const first = (await t.admin(SYNC_NOW, { p: p.id })).syncNow;
    t.app.services.sync.hooks.afterStart = undefined;
    // While it runs (before it reads the graph): another press, and a new condition holder.
    expect((await t.admin(SYNC_NOW, { p: p.id })).syncNow).toMatchObject({ id: first.id, state: 'RUNNING' });
    await ingestGrants(t, [['u80', 'c5']]);
    open();
    await quiescent(t);
    expect(await openTasks(t, raw(p.enrollmentEntitlementId), 'GRANT')).toEqual(users(70, 81).sort());
    const runs = await cypher(t, `MATCH (r:SyncRun)-[:OF_PROFILE]->(:AccessProfile {id: $p}) RETURN r.trigger AS trigger, r.state AS state ORDER BY r.startedAt`, { p: p.raw });
    expect(runs.every((r) => r.state === 'COMPLETED')).toBe(true);
    expect(runs[0]!.trigger).toBe('MANUAL');
  });

  it('a sync killed half-way is redone after its lease expires: no duplicate and no lost task', async () => {
    const p = await profileToSync('Crash', 'c1', users(0, 60));
    const child = spawnSync('npx', ['tsx', 'test/helpers/sync-crash-child.ts', p.raw, '7'], {
      env: { ...process.env, NEO4J_URI: testNeo4jUri(), SYNC_LEASE_SECONDS: '2' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(child.stdout).toContain('killed after one batch');
    const en = raw(p.enrollmentEntitlementId);
    expect(await openTasks(t, en, 'GRANT')).toHaveLength(7);
    // Its lease still holds: a sync now answers with the interrupted run until the lease expires;
    // then a new run takes over and redoes the rest.
    const interrupted = (await t.admin(SYNC_NOW, { p: p.id })).syncNow.id;
    const next = await eventually(async () => {
      const body = await t.admin(SYNC_NOW, { p: p.id });
      return body.syncNow.id !== interrupted ? body.syncNow.id : null;
    });
    await quiescent(t);
    const run = await runOf(next);
    expect(run).toMatchObject({ state: 'COMPLETED', enrollTasksCreated: 53 });
    expect(await openTasks(t, en, 'GRANT')).toEqual(users(0, 60).sort());
    const runs = await cypher(t, `MATCH (r:SyncRun)-[:OF_PROFILE]->(:AccessProfile {id: $p}) RETURN r.state AS state, r.failReason AS why ORDER BY r.startedAt`, { p: p.raw });
    expect(runs.map((r) => r.state)).toEqual(['FAILED', 'COMPLETED']);
    expect(runs[0]!.why).toMatch(/Interrupted/);
  });
});

describe('a run that fails', () => {
  it('records why, and tells syncEvents subscribers; the next sync does the work', async () => {
    const p = await profileToSync('Failing', 'c4', users(60, 70));
    const client = wsClient(t.url, ADMIN_TOKEN);
    const events = collect(client, 'syncEvents', `subscription($p: ID) { syncEvents(profileId: $p) { type reason runId run { state failReason } } }`, { p: p.id });
    await eventually(async () => t.app.services.eventStream.subscriberCount > 0);
    // Something breaks half-way (an unexpected error, not one of ours).
    t.app.services.sync.hooks.afterStart = () => {
      throw new Error('disk on fire at bolt://10.0.0.1');
    };
    const body = await t.request<{ syncNow: { id: string; state: string } }>(SYNC_NOW, { p: p.id });
    t.app.services.sync.hooks.afterStart = undefined;
    // syncNow answered at once; the run failed after, in the background, and says why.
    expect(body.errors).toBeUndefined();
    expect(body.data!.syncNow.state).toBe('RUNNING');
    const runId = body.data!.syncNow.id;
    await events.until((list) => list.some((e) => e.type === 'SYNC_FAILED'));
    const failed = events.events().find((e) => e.type === 'SYNC_FAILED')!;
    expect(failed).toMatchObject({ runId, reason: 'an internal error stopped it (the server log has the details)', run: { state: 'FAILED' } });
    expect(failed.run.failReason).toBe(failed.reason);
    expect(JSON.stringify(events.events())).not.toMatch(/disk on fire|bolt:/);
    expect(events.events().map((e) => e.type)).toEqual(['SYNC_STARTED', 'SYNC_FAILED']);
    // What the answer said: the next sync does the work.
    const again = await syncNowDone(t, SYNC_NOW, p.id);
    expect(again.syncNow).toMatchObject({ state: 'COMPLETED', enrollTasksCreated: 10 });
    events.stop();
    await client.dispose();
  });
});

describe('near-real-time trigger', () => {
  it('an ingested condition grant leads to the enrollment task within seconds; each task is created once', async () => {
    const p = await createProfile(t, 'Realtime', { enrollmentPolicyId: pendingPolicy });
    const c2 = await idOf(t, 'entitlement', 'c2');
    await setAutomation(t, p.id, { enabled: true, conditionEntitlementIds: [c2] });
    const en = raw(p.enrollmentEntitlementId);
    for (const u of ['u100', 'u101', 'u102']) await grant(t, [[u, 'c2']]);
    expect(await openTasks(t, en, 'GRANT')).toHaveLength(3);
    const runs = await cypher(t, `MATCH (r:SyncRun {trigger: 'HOLDERS_CHANGED'})-[:OF_PROFILE]->(:AccessProfile {id: $p}) RETURN sum(r.enrollTasksCreated) AS n, count(r) AS runs`, { p: p.raw });
    expect(Number(runs[0]!.n)).toBe(3);
    expect(Number(runs[0]!.runs)).toBeLessThanOrEqual(3);
    // A grant of an entitlement outside every condition starts no sync.
    const before = await cypher(t, `MATCH (r:SyncRun) RETURN count(r) AS n`);
    await grant(t, [['u103', 'c3']]);
    expect(await cypher(t, `MATCH (r:SyncRun) RETURN count(r) AS n`)).toEqual(before);
  });
});

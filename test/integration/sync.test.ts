/**
 * The sync engine on a real Neo4j: the diff, acting on it, exclusions, manual membership, the
 * safeguard and its review, triggers, the lease and concurrency, idempotence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';
import { countNodes, createProfile, cypher, grant, openTasks, seedMembers, setAutomation, syncNowDone } from '../helpers/sync-seed.js';

let t: TestApp;
let pendingPolicy: string;
const ent: Record<string, string> = {};
const uid: Record<string, string> = {};
const raw = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;

const SYNC_NOW = `mutation($p: ID!) { syncNow(profileId: $p) { id state trigger enrollTasksCreated unenrollTasksCreated cancelledTasks pauseReason } }`;
const RUNS = `query($p: ID!) { node(id: $p) { ... on AccessProfile { syncRuns(first: 50) { totalCount edges { node { id state trigger } } } } } }`;

/** A profile whose enrollment and unenrollment tasks wait for approval (so pending states can be observed). */
async function profile(name: string, extra: Record<string, unknown> = {}) {
  return createProfile(t, name, { enrollmentPolicyId: pendingPolicy, unenrollmentPolicyId: pendingPolicy, ...extra });
}

beforeAll(async () => {
  t = await startTestApp({ SYNC_INTERVAL_SECONDS: '3600' });
  await resetGraph(t.app);
  await ingestOrg(t, 400, [{ externalId: 'app', name: 'App', entitlements: Array.from({ length: 30 }, (_, i) => `c${i}`) }]);
  for (let i = 0; i < 30; i += 1) ent[`c${i}`] = await idOf(t, 'entitlement', `c${i}`);
  const rows = await cypher<{ x: string; id: string }>(t, `MATCH (u:User) RETURN u.externalId AS x, u.id AS id`);
  for (const r of rows) uid[r.x] = Buffer.from(`User:${r.id}`).toString('base64');
  const policy = await t.admin(`mutation($s: [PolicyStepInput!]!) { createPolicy(name: "named approver", steps: $s) { id } }`, {
    s: [{ approverType: 'USERS', userIds: [uid.u399] }],
  });
  pendingPolicy = policy.createPolicy.id;
});
afterAll(async () => t?.stop());

describe('saving the automation', () => {
  it('enabled: syncs at once, enrolling users who hold ANY condition entitlement, once', async () => {
    await grant(t, [['u1', 'c0'], ['u2', 'c1'], ['u3', 'c0'], ['u3', 'c1'], ['u4', 'c2']]);
    const p = await profile('Save enabled');
    await setAutomation(t, p.id, { enabled: true, conditionEntitlementIds: [ent.c0!, ent.c1!] });
    expect(await openTasks(t, raw(p.enrollmentEntitlementId), 'GRANT', 'SYNC')).toEqual(['u1', 'u2', 'u3']);
    const runs = await t.admin(RUNS, { p: p.id });
    expect(runs.node.syncRuns.totalCount).toBe(1);
    expect(runs.node.syncRuns.edges[0].node).toMatchObject({ state: 'COMPLETED', trigger: 'AUTOMATION_SAVED' });
    const [task] = await cypher(t, `MATCH (t:Task {origin: 'SYNC'})-[:CREATED_BY_RUN]->(r:SyncRun) MATCH (t)-[:VIA_PROFILE]->(:AccessProfile {id: $p})
      RETURN t.enrollVia AS via, r.enrollTasksCreated AS n LIMIT 1`, { p: p.raw });
    expect(task).toMatchObject({ via: 'RULE', n: 3 });

    // Idempotence: a second sync with nothing changed creates nothing.
    const tasksBefore = await countNodes(t, 'Task');
    const again = await syncNowDone(t, SYNC_NOW, p.id);
    expect(again.syncNow).toMatchObject({ state: 'COMPLETED', trigger: 'MANUAL', enrollTasksCreated: 0, unenrollTasksCreated: 0, cancelledTasks: 0 });
    expect(await countNodes(t, 'Task')).toBe(tasksBefore);

    const pending = await t.admin(`query($p: ID!) { node(id: $p) { ... on AccessProfile { pendingEnrollments { count
      users(first: 10) { totalCount edges { node { externalId } } } tasks(first: 10) { totalCount } } } } }`, { p: p.id });
    expect(pending.node.pendingEnrollments.count).toBe(3);
    expect(pending.node.pendingEnrollments.users.edges.map((e: any) => e.node.externalId).sort()).toEqual(['u1', 'u2', 'u3']);
    expect(pending.node.pendingEnrollments.tasks.totalCount).toBe(3);
  });

  it('disabled: keeps the settings and acts on nothing; syncNow on it is a CONFLICT', async () => {
    await grant(t, [['u5', 'c3']]);
    const p = await profile('Save disabled');
    const data = await setAutomation(t, p.id, { enabled: false, conditionEntitlementIds: [ent.c3!] });
    expect(data.setMembershipAutomation.automation.enabled).toBe(false);
    expect(await openTasks(t, raw(p.enrollmentEntitlementId), 'GRANT')).toEqual([]);
    expect(await countNodes(t, 'SyncRun').then(() => t.admin(RUNS, { p: p.id }))).toMatchObject({ node: { syncRuns: { totalCount: 0 } } });
    expect(codesOf(await t.request(SYNC_NOW, { p: p.id }))).toEqual(['CONFLICT']);
  });
});

describe('the diff', () => {
  it('unenrolls only RULE members who stop matching; manual and self-service members stay', async () => {
    const p = await profile('Unenroll rule members');
    await grant(t, [['u10', 'c4'], ['u11', 'c4']]);
    await seedMembers(t, p.raw, ['u10', 'u12'], 'RULE');
    await seedMembers(t, p.raw, ['u13'], 'MANUAL');
    await seedMembers(t, p.raw, ['u14'], 'SELF_SERVICE');
    const preview = await t.admin(`query($p: ID!) { node(id: $p) { ... on AccessProfile { previewSync { toEnroll { externalId } toUnenroll { externalId } wouldPause memberCount } } } }`, { p: p.id });
    // Automation not saved yet: the condition is empty, so nothing matches.
    expect(preview.node.previewSync.memberCount).toBe(4);
    await setAutomation(t, p.id, { enabled: true, conditionEntitlementIds: [ent.c4!] });
    const en = raw(p.enrollmentEntitlementId);
    expect(await openTasks(t, en, 'GRANT', 'SYNC')).toEqual(['u11']);
    expect(await openTasks(t, en, 'REVOKE', 'SYNC')).toEqual(['u12']);
  });

  it('previewSync shows the diff and the verdict and writes nothing', async () => {
    const p = await profile('Preview');
    await grant(t, [['u20', 'c5'], ['u21', 'c5']]);
    await seedMembers(t, p.raw, ['u22'], 'RULE');
    await setAutomation(t, p.id, { enabled: false, conditionEntitlementIds: [ent.c5!] });
    const counts = async () => (await cypher(t, `MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS n, count(r) AS r`))[0];
    const before = await counts();
    const data = await t.admin(`query($p: ID!) { node(id: $p) { ... on AccessProfile { previewSync { toEnroll { externalId } toUnenroll { externalId } toCancelCount wouldPause memberCount } } } }`, { p: p.id });
    expect(data.node.previewSync.toEnroll.map((u: any) => u.externalId).sort()).toEqual(['u20', 'u21']);
    expect(data.node.previewSync.toUnenroll.map((u: any) => u.externalId)).toEqual(['u22']);
    expect(data.node.previewSync).toMatchObject({ wouldPause: false, memberCount: 1, toCancelCount: 0 });
    expect(await counts()).toEqual(before);
  });

  it('cancels a pending enrollment when the user stops matching, and a pending unenrollment when they match again', async () => {
    const p = await profile('Stale tasks');
    const en = raw(p.enrollmentEntitlementId);
    await grant(t, [['u30', 'c6'], ['u31', 'c6']]);
    await seedMembers(t, p.raw, ['u32'], 'RULE');
    await setAutomation(t, p.id, { enabled: true, conditionEntitlementIds: [ent.c6!] });
    expect(await openTasks(t, en, 'GRANT', 'SYNC')).toEqual(['u30', 'u31']);
    expect(await openTasks(t, en, 'REVOKE', 'SYNC')).toEqual(['u32']);
    // u31 stops matching (the source no longer lists it), u32 starts matching again.
    await grant(t, [['u30', 'c6'], ['u32', 'c6']], ['c6']);
    const run = await syncNowDone(t, SYNC_NOW, p.id).catch(() => null);
    void run;
    expect(await openTasks(t, en, 'GRANT', 'SYNC')).toEqual(['u30']);
    expect(await openTasks(t, en, 'REVOKE', 'SYNC')).toEqual([]);
    const cancelled = await cypher(t, `MATCH (t:Task {state: 'CANCELLED'})-[:VIA_PROFILE]->(:AccessProfile {id: $p}) MATCH (t)-[:FOR_USER]->(u) RETURN u.externalId AS x, t.kind AS kind ORDER BY x`, { p: p.raw });
    expect(cancelled).toEqual([{ x: 'u31', kind: 'GRANT' }, { x: 'u32', kind: 'REVOKE' }]);
    // And it starts matching again: a new enrollment task.
    await grant(t, [['u31', 'c6']]);
    expect(await openTasks(t, en, 'GRANT', 'SYNC')).toEqual(['u30', 'u31']);
  });
});

describe('exclusions', () => {
  it('adding requests the exclusion entitlement; excluded users are never enrolled; an excluded RULE member is unenrolled; removing revokes', async () => {
    const p = await profile('Exclusions');
    const en = raw(p.enrollmentEntitlementId);
    const ex = raw(p.exclusionEntitlementId);
    await grant(t, [['u40', 'c7'], ['u41', 'c7'], ['u42', 'c7']]);
    await seedMembers(t, p.raw, ['u42'], 'RULE');
    await setAutomation(t, p.id, { enabled: true, conditionEntitlementIds: [ent.c7!], excludedUserIds: [uid.u41!, uid.u42!] });
    const exclusionTasks = async (kind: string) =>
      (await cypher(t, `MATCH (:Entitlement {id: $ex})<-[:ON_ENTITLEMENT]-(t:Task {origin: 'EXCLUSION', kind: $kind})-[:FOR_USER]->(u)
        WHERE t.state <> 'CANCELLED' RETURN u.externalId AS x ORDER BY x`, { ex, kind })).map((r) => r.x);
    // The exclusion entitlement is requested (the workflow may grant it at once).
    expect(await exclusionTasks('GRANT')).toEqual(['u41', 'u42']);
    expect(await openTasks(t, en, 'GRANT', 'SYNC')).toEqual(['u40']);
    expect(await openTasks(t, en, 'REVOKE', 'SYNC')).toEqual(['u42']);
    // Leaving the list revokes the exclusion entitlement of those who hold it.
    const held = await cypher(t, `MATCH (u:User)-[:HOLDS]->(:Grant)-[:OF]->(:Entitlement {id: $ex}) RETURN u.externalId AS x ORDER BY x`, { ex });
    await setAutomation(t, p.id, { enabled: true, conditionEntitlementIds: [ent.c7!], excludedUserIds: [] });
    expect(await exclusionTasks('REVOKE')).toEqual(held.map((r) => r.x));
    expect(await openTasks(t, ex, 'GRANT')).toEqual([]);
    // No longer excluded: u41 is enrolled; u42's pending unenrollment is cancelled (it matches again).
    expect(await openTasks(t, en, 'GRANT', 'SYNC')).toEqual(['u40', 'u41']);
    expect(await openTasks(t, en, 'REVOKE', 'SYNC')).toEqual([]);
  });
});

describe('manual membership', () => {
  const ENROLL = `mutation($p: ID!, $u: [ID!]!) { enrollUsers(profileId: $p, userIds: $u) { id kind state origin user { externalId } } }`;
  const UNENROLL = `mutation($p: ID!, $u: [ID!]!) { unenrollUsers(profileId: $p, userIds: $u) { id kind state origin user { externalId } } }`;

  it('enrollUsers enrolls users who need not match; the rule never removes manual members; unenrollUsers revokes', async () => {
    const p = await profile('Manual');
    const en = raw(p.enrollmentEntitlementId);
    await grant(t, [['u50', 'c8']]);
    await setAutomation(t, p.id, { enabled: true, conditionEntitlementIds: [ent.c8!] });
    const enrolled = await t.admin(ENROLL, { p: p.id, u: [uid.u51, uid.u52] });
    expect(enrolled.enrollUsers.map((x: any) => [x.user.externalId, x.kind, x.origin]).sort()).toEqual([
      ['u51', 'GRANT', 'MANUAL_ENROLLMENT'],
      ['u52', 'GRANT', 'MANUAL_ENROLLMENT'],
    ]);
    // A sync does not cancel manual enrollments of users who do not match.
    await syncNowDone(t, SYNC_NOW, p.id);
    expect(await openTasks(t, en, 'GRANT')).toEqual(['u50', 'u51', 'u52']);
    // Manual members who do not match stay after a sync.
    await seedMembers(t, p.raw, ['u53'], 'MANUAL');
    expect((await syncNowDone(t, SYNC_NOW, p.id)).syncNow.unenrollTasksCreated).toBe(0);
    // unenrollUsers: a member gets a revoke; a pending one has its enrollment cancelled.
    const out = await t.admin(UNENROLL, { p: p.id, u: [uid.u53, uid.u52] });
    expect(out.unenrollUsers.map((x: any) => [x.user.externalId, x.kind, x.state]).sort()).toEqual([
      ['u52', 'GRANT', 'CANCELLED'],
      ['u53', 'REVOKE', 'PENDING_APPROVAL'],
    ]);
    expect(codesOf(await t.request(ENROLL, { p: p.id, u: [Buffer.from('User:nope').toString('base64')] }))).toEqual(['BAD_USER_INPUT']);
    const userToken = await tokenFor(t, uid.u60!, ['read', 'request'], 'USER');
    expect(codesOf(await t.request(ENROLL, { p: p.id, u: [uid.u60] }, userToken))).toEqual(['FORBIDDEN']);
    expect(codesOf(await t.request(SYNC_NOW, { p: p.id }, userToken))).toEqual(['FORBIDDEN']);
  });

  it('with a zero-step enrollment policy the sync enrolls at once through the workflow (RULE members)', async () => {
    const zero = await t.admin(`mutation { createPolicy(name: "auto", steps: []) { id } }`);
    const p = await createProfile(t, 'Zero step', { enrollmentPolicyId: zero.createPolicy.id, unenrollmentPolicyId: pendingPolicy });
    await grant(t, [['u70', 'c9'], ['u71', 'c9']]);
    await setAutomation(t, p.id, { enabled: true, conditionEntitlementIds: [ent.c9!] });
    const members = await t.admin(`query($p: ID!) { node(id: $p) { ... on AccessProfile { members(first: 10) { edges { node { externalId } } } } } }`, { p: p.id });
    expect(members.node.members.edges.map((e: any) => e.node.externalId).sort()).toEqual(['u70', 'u71']);
    const via = await cypher(t, `MATCH (g:Grant)-[:OF]->(:Entitlement {id: $en}) RETURN collect(DISTINCT g.enrolledVia) AS via`, { en: raw(p.enrollmentEntitlementId) });
    expect(via[0]!.via).toEqual(['RULE']);
    // Idempotent once enrolled.
    expect((await syncNowDone(t, SYNC_NOW, p.id)).syncNow).toMatchObject({ enrollTasksCreated: 0, unenrollTasksCreated: 0 });
  });
});

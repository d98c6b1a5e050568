/**
 * The safeguard: a sync that would unenroll more than 20% of the members of a profile with more
 * than 100 members is paused before it writes a task, keeps its staged lists for review, blocks
 * automatic syncs, and is resumed (each change rechecked) or discarded by an admin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';
import { createProfile, cypher, grant, openTasks, seedMembers, setAutomation, users, syncNowDone } from '../helpers/sync-seed.js';

let t: TestApp;
let pendingPolicy: string;
const raw = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
const SYNC_NOW = `mutation($p: ID!) { syncNow(profileId: $p) { id state trigger unenrollTasksCreated enrollTasksCreated pauseReason } }`;
const RUN_FIELDS = `id state pauseReason unenrollTasksCreated reviewedByAdminToken reviewedBy { externalId } reviewedAt finishedAt
  staged { toUnenroll { externalId } toEnroll { externalId } wouldPause memberCount }`;

/** A profile with `members` RULE members of whom the first `matching` still hold its condition entitlement. */
async function profileWith(name: string, condition: string, members: number, matching: number) {
  const p = await createProfile(t, name, { enrollmentPolicyId: pendingPolicy, unenrollmentPolicyId: pendingPolicy });
  await grant(t, users(0, matching).map((u) => [u, condition] as [string, string]));
  await seedMembers(t, p.raw, users(0, members), 'RULE');
  return { ...p, condition: await idOf(t, 'entitlement', condition), en: raw(p.enrollmentEntitlementId) };
}

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, 130, [{ externalId: 'app', name: 'App', entitlements: ['a', 'b', 'c', 'd', 'e', 'x'] }]);
  const approver = (await cypher<{ id: string }>(t, `MATCH (u:User {externalId: 'u129'}) RETURN u.id AS id`))[0]!.id;
  const policy = await t.admin(`mutation($s: [PolicyStepInput!]!) { createPolicy(name: "named", steps: $s) { id } }`, {
    s: [{ approverType: 'USERS', userIds: [Buffer.from(`User:${approver}`).toString('base64')] }],
  });
  pendingPolicy = policy.createPolicy.id;
});
afterAll(async () => t?.stop());

describe('the safeguard boundaries', () => {
  it('100 members: even unenrolling all of them is not paused (the profile is not above 100)', async () => {
    const p = await profileWith('Hundred', 'a', 100, 0);
    await setAutomation(t, p.id, { enabled: true, conditionEntitlementIds: [p.condition] });
    expect(await openTasks(t, p.en, 'REVOKE', 'SYNC')).toHaveLength(100);
  });

  it('exactly 20% of 110 members is applied; just over (23 of 110) is paused', async () => {
    const exact = await profileWith('Exact', 'b', 110, 88);
    await setAutomation(t, exact.id, { enabled: true, conditionEntitlementIds: [exact.condition] });
    expect(await openTasks(t, exact.en, 'REVOKE', 'SYNC')).toHaveLength(22);

    const over = await profileWith('Over', 'c', 110, 87);
    await setAutomation(t, over.id, { enabled: true, conditionEntitlementIds: [over.condition] });
    expect(await openTasks(t, over.en, 'REVOKE')).toHaveLength(0);
    const paused = await t.admin(`query($p: ID!) { node(id: $p) { ... on AccessProfile { pausedSync { ${RUN_FIELDS} } } } }`, { p: over.id });
    expect(paused.node.pausedSync).toMatchObject({ state: 'PAUSED', unenrollTasksCreated: 0, staged: { wouldPause: true, memberCount: 110 } });
    expect(paused.node.pausedSync.pauseReason).toMatch(/23 of 110/);
    expect(paused.node.pausedSync.staged.toUnenroll).toHaveLength(23);

    // Discarded: nothing is applied, who did it is recorded, and syncs go on (pausing again).
    const discarded = await t.admin(`mutation($r: ID!) { discardSync(syncRunId: $r) { ${RUN_FIELDS} } }`, { r: paused.node.pausedSync.id });
    expect(discarded.discardSync).toMatchObject({ state: 'DISCARDED', reviewedByAdminToken: true });
    expect(discarded.discardSync.reviewedAt).toBeTruthy();
    expect(codesOf(await t.request(`mutation($r: ID!) { discardSync(syncRunId: $r) { id } }`, { r: paused.node.pausedSync.id }))).toEqual(['CONFLICT']);
    expect((await syncNowDone(t, SYNC_NOW, over.id)).syncNow.state).toBe('PAUSED');
    const again = await t.admin(`query($p: ID!) { node(id: $p) { ... on AccessProfile { pausedSync { id } } } }`, { p: over.id });
    await t.admin(`mutation($r: ID!) { discardSync(syncRunId: $r) { id } }`, { r: again.node.pausedSync.id });

    // pauseOnAnomalies: false turns the check off for this profile.
    await setAutomation(t, over.id, { enabled: true, conditionEntitlementIds: [over.condition], pauseOnAnomalies: false });
    expect(await openTasks(t, over.en, 'REVOKE', 'SYNC')).toHaveLength(23);
  });

  it('101 members with 21 to unenroll is paused; it blocks automatic syncs; an admin resumes it, each change rechecked', async () => {
    const p = await profileWith('HundredOne', 'd', 101, 80);
    await setAutomation(t, p.id, { enabled: true, conditionEntitlementIds: [p.condition] });
    expect(await openTasks(t, p.en, 'REVOKE')).toHaveLength(0);
    const q = await t.admin(`query($p: ID!) { node(id: $p) { ... on AccessProfile { pausedSync { ${RUN_FIELDS} } } } }`, { p: p.id });
    const run = q.node.pausedSync;
    expect(run.state).toBe('PAUSED');
    expect(run.staged.toUnenroll.map((u: any) => u.externalId).sort()).toEqual(users(80, 101).sort());
    const events = await cypher(t, `MATCH (e:Event {runId: $r}) RETURN e.type AS type ORDER BY e.seq`, { r: raw(run.id) });
    expect(events.map((e) => e.type)).toEqual(['SYNC_STARTED', 'SYNC_PAUSED']);

    // Further syncs wait: a manual one is refused, a change of a condition grant starts none.
    expect(codesOf(await t.request(SYNC_NOW, { p: p.id }))).toEqual(['SAFEGUARD_PAUSED']);
    await grant(t, [['u120', 'd']]);
    const runs = await cypher(t, `MATCH (r:SyncRun)-[:OF_PROFILE]->(:AccessProfile {id: $p}) RETURN count(r) AS n`, { p: p.raw });
    expect(Number(runs[0]!.n)).toBe(1);

    // Admin-only.
    const userId = await idOf(t, 'user', 'u125');
    const userToken = await tokenFor(t, userId, ['read', 'request', 'review'], 'USER');
    expect(codesOf(await t.request(`mutation($r: ID!) { resumeSync(syncRunId: $r) { id } }`, { r: run.id }, userToken))).toEqual(['FORBIDDEN']);
    expect(codesOf(await t.request(`mutation($r: ID!) { discardSync(syncRunId: $r) { id } }`, { r: run.id }, userToken))).toEqual(['FORBIDDEN']);

    // Meanwhile u80 matches again: resuming leaves it out (rechecked against the graph now).
    await grant(t, [['u80', 'd']]);
    const adminId = await idOf(t, 'user', 'u126');
    const adminToken = await tokenFor(t, adminId, ['read', 'admin'], 'ADMIN');
    const resumed = await t.request<any>(`mutation($r: ID!) { resumeSync(syncRunId: $r) { ${RUN_FIELDS} } }`, { r: run.id }, adminToken);
    expect(resumed.errors).toBeUndefined();
    expect(resumed.data.resumeSync).toMatchObject({ state: 'COMPLETED', unenrollTasksCreated: 20, reviewedBy: { externalId: 'u126' } });
    expect(await openTasks(t, p.en, 'REVOKE', 'SYNC')).toEqual(users(81, 101).sort());
    // u120 matched since: the next sync (no longer blocked) enrolls it.
    expect((await syncNowDone(t, SYNC_NOW, p.id)).syncNow).toMatchObject({ state: 'COMPLETED', enrollTasksCreated: 1, unenrollTasksCreated: 0 });
    const after = await cypher(t, `MATCH (e:Event {runId: $r}) RETURN e.type AS type ORDER BY e.seq`, { r: raw(run.id) });
    expect(after.map((e) => e.type)).toContain('SYNC_RESUMED');
  });

  it('updateSafeguardSettings changes the thresholds the verdict uses', async () => {
    const p = await profileWith('Settings', 'e', 101, 70);
    await setAutomation(t, p.id, { enabled: false, conditionEntitlementIds: [p.condition] });
    const preview = `query($p: ID!) { node(id: $p) { ... on AccessProfile { previewSync { wouldPause toUnenrollCount memberCount } } } }`;
    expect((await t.admin(preview, { p: p.id })).node.previewSync).toMatchObject({ wouldPause: true, toUnenrollCount: 31, memberCount: 101 });
    await t.admin(`mutation { updateSafeguardSettings(minMembers: 200, maxUnenrollRatio: 0.2) { minMembers } }`);
    expect((await t.admin(preview, { p: p.id })).node.previewSync.wouldPause).toBe(false);
    await t.admin(`mutation { updateSafeguardSettings(minMembers: 100, maxUnenrollRatio: 0.5) { minMembers } }`);
    expect((await t.admin(preview, { p: p.id })).node.previewSync.wouldPause).toBe(false);
    await t.admin(`mutation { updateSafeguardSettings(minMembers: 100, maxUnenrollRatio: 0.2) { minMembers } }`);
  });
});

/**
 * A reviewer's decision sticks: a denied rule enrollment is not asked again while the user still
 * matches (stopping to match ends it; matching again asks again; an admin may still enroll them by
 * hand), and a denied rule unenrollment keeps the member until they match again and then stop
 * matching again. The profile lists both, with the deciding task, who and when; previewSync and
 * the what-if agree with the sync.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawIdOf } from '../../src/ids.js';
import { quiescent, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';
import { createProfile, grant, openTasks, seedMembers, setAutomation, syncNowDone } from '../helpers/sync-seed.js';
import { createPolicy } from '../helpers/workflow.js';

let t: TestApp;
let reviewer: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, 6, [{ externalId: 'idp', name: 'IdP', entitlements: ['sales', 'other'] }]);
  ids.sales = await idOf(t, 'entitlement', 'sales');
  for (const u of ['u0', 'u1', 'u2', 'u3', 'u4']) ids[u] = await idOf(t, 'user', u);
  reviewer = await tokenFor(t, ids.u0!, ['read', 'review']);
});
afterAll(async () => t?.stop());

const SYNC_NOW = `mutation($p: ID!) { syncNow(profileId: $p) { id state enrollTasksCreated unenrollTasksCreated } }`;
const DECISIONS = `query($id: ID!) { node(id: $id) { ... on AccessProfile {
  deniedEnrollments { totalCount edges { node { user { externalId } task { id state } decidedBy { externalId } decidedAt } } }
  keptByDecision { totalCount edges { node { user { externalId } task { id state } decidedBy { externalId } } } }
  previewSync { toEnroll { externalId } toUnenroll { externalId } }
} } }`;
const WHAT_IF = `query($p: ID!) { whatIfMembershipAutomation(profileId: $p) { toEnroll(first: 50) { edges { node { externalId } } } toUnenroll(first: 50) { edges { node { externalId } } } } }`;

/** A profile whose rule enrollments and unenrollments wait for u0's approval. */
async function reviewedProfile(name: string) {
  const policy = await createPolicy(t, `${name}: u0 decides`, [{ approverType: 'USERS', userIds: [ids.u0!] }]);
  const p = await createProfile(t, name, { enrollmentPolicyId: policy, unenrollmentPolicyId: policy });
  return { ...p, enrollment: rawIdOf('Entitlement', p.enrollmentEntitlementId) };
}

/** The reviewer decides the open task of `user` about the profile's membership. */
async function decideTaskOf(profileId: string, user: string, approve: boolean): Promise<string> {
  const inbox = await t.request<any>(`{ tasks(assignedToViewer: true, first: 500) { edges { node { id user { externalId } profile { id } } } } }`, {}, reviewer);
  const task = inbox.data.tasks.edges.map((e: any) => e.node).find((n: any) => n.user.externalId === user && n.profile?.id === profileId);
  expect(task, `a task of ${user} in the reviewer's inbox`).toBeDefined();
  const body = await t.request(`mutation($id: ID!) { ${approve ? 'approveTask' : 'denyTask'}(taskId: $id, comment: "reviewed") { state } }`, { id: task.id }, reviewer);
  expect(body.errors).toBeUndefined();
  await quiescent(t);
  return task.id;
}

const decisionsOf = async (id: string) => (await t.admin(DECISIONS, { id })).node;
const whatIf = async (id: string) => {
  const w = (await t.admin(WHAT_IF, { p: id })).whatIfMembershipAutomation;
  return { toEnroll: w.toEnroll.edges.map((e: any) => e.node.externalId), toUnenroll: w.toUnenroll.edges.map((e: any) => e.node.externalId) };
};

describe('a denied rule enrollment', () => {
  it('is not asked again while the user matches; the profile shows it; preview and what-if agree', async () => {
    const p = await reviewedProfile('Denied enrollment');
    await grant(t, [['u1', 'sales'], ['u2', 'sales']]);
    await setAutomation(t, p.id, { enabled: true, conditionEntitlementIds: [ids.sales!] });
    await quiescent(t);
    expect(await openTasks(t, p.enrollment, 'GRANT')).toEqual(['u1', 'u2']);
    const denied = await decideTaskOf(p.id, 'u1', false);

    for (let i = 0; i < 2; i++) expect((await syncNowDone(t, SYNC_NOW, p.id)).syncNow).toMatchObject({ state: 'COMPLETED', enrollTasksCreated: 0 });
    expect(await openTasks(t, p.enrollment, 'GRANT')).toEqual(['u2']);
    const shown = await decisionsOf(p.id);
    expect(shown.deniedEnrollments.totalCount).toBe(1);
    expect(shown.deniedEnrollments.edges[0].node).toMatchObject({ user: { externalId: 'u1' }, task: { id: denied, state: 'DENIED' }, decidedBy: { externalId: 'u0' } });
    expect(shown.previewSync.toEnroll).toEqual([]);
    expect((await whatIf(p.id)).toEnroll).toEqual([]);

    // An admin may still enroll them by hand.
    const manual = await t.admin(`mutation($p: ID!, $u: [ID!]!) { enrollUsers(profileId: $p, userIds: $u) { origin state } }`, { p: p.id, u: [ids.u1] });
    expect(manual.enrollUsers).toEqual([{ origin: 'MANUAL_ENROLLMENT', state: 'PENDING_APPROVAL' }]);
  });

  it('ends when the user stops matching: a later match asks again', async () => {
    const p = await reviewedProfile('Match again');
    await grant(t, [['u3', 'sales']]);
    await setAutomation(t, p.id, { enabled: true, conditionEntitlementIds: [ids.sales!] });
    await quiescent(t);
    await decideTaskOf(p.id, 'u3', false);
    expect((await decisionsOf(p.id)).deniedEnrollments.totalCount).toBe(1);

    // u3 stops matching (the source system drops the grant); the sync that follows ends the denial.
    await grant(t, [['u1', 'sales'], ['u2', 'sales']], ['sales']);
    expect((await decisionsOf(p.id)).deniedEnrollments.totalCount).toBe(0);
    // and matches again: asked again.
    await grant(t, [['u3', 'sales']]);
    expect(await openTasks(t, p.enrollment, 'GRANT')).toContain('u3');
  });
});

describe('a denied rule unenrollment', () => {
  it('keeps the member until they match again and then stop matching again', async () => {
    const p = await reviewedProfile('Kept');
    await grant(t, [['u4', 'sales']]);
    await setAutomation(t, p.id, { enabled: true, conditionEntitlementIds: [ids.sales!] });
    await quiescent(t);
    await seedMembers(t, p.raw, ['u4']); // a member by the rule (its enrollment task stays open: cancel by syncing)
    await syncNowDone(t, SYNC_NOW, p.id);

    await grant(t, [['u1', 'sales']], ['sales']); // u4 stops matching
    expect(await openTasks(t, p.enrollment, 'REVOKE')).toEqual(['u4']);
    await decideTaskOf(p.id, 'u4', false);
    for (let i = 0; i < 2; i++) expect((await syncNowDone(t, SYNC_NOW, p.id)).syncNow).toMatchObject({ state: 'COMPLETED', unenrollTasksCreated: 0 });
    const shown = await decisionsOf(p.id);
    expect(shown.keptByDecision.edges.map((e: any) => e.node.user.externalId)).toEqual(['u4']);
    expect(shown.previewSync.toUnenroll).toEqual([]);
    expect((await whatIf(p.id)).toUnenroll).toEqual([]);

    await grant(t, [['u4', 'sales']]); // matches again: the decision has done its work
    expect((await decisionsOf(p.id)).keptByDecision.totalCount).toBe(0);
    await grant(t, [['u1', 'sales']], ['sales']); // and stops again: asked again
    expect(await openTasks(t, p.enrollment, 'REVOKE')).toEqual(['u4']);
  });
});

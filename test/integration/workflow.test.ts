/**
 * Reviewers' decisions, provisioning and self-service, end to end through the API on a real
 * Neo4j: policies with steps, denial, self-approval, manual provisioning, cancellation, the
 * reviewer's inbox, and two reviewers approving the same task at the same moment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';
import { TASK_FIELDS, createPolicy, createProfile, decide, graph, grantsOf, rawId, sourcesOf } from '../helpers/workflow.js';

let t: TestApp;
const user: Record<string, string> = {};
const token: Record<string, string> = {};
const ent: Record<string, string> = {};
let auto: string;

const SCOPES = ['read', 'request', 'review', 'provision'];
const request = (entitlementId: string, as: string, reason?: string) =>
  t.request<{ requestAccess: any }>(`mutation($e: ID!, $r: String) { requestAccess(entitlementId: $e, reason: $r) { ${TASK_FIELDS} } }`, { e: entitlementId, r: reason ?? null }, as);
async function requestOk(entitlementId: string, as: string): Promise<any> {
  const body = await request(entitlementId, as);
  expect(body.errors).toBeUndefined();
  return body.data!.requestAccess;
}

beforeAll(async () => {
  t = await startTestApp({ QUERY_MAX_COST: '1000000' });
  await resetGraph(t.app);
  await ingestOrg(t, 10, [
    { externalId: 'git', name: 'Git', owners: ['u1'], entitlements: ['git-read', 'git-write', 'git-admin'] },
    { externalId: 'crm', name: 'CRM', provisioning: 'MANUAL', owners: ['u2'], entitlements: ['crm-user'] },
    { externalId: 'wiki', name: 'Wiki', entitlements: ['wiki-read'] },
  ]);
  for (let i = 0; i < 10; i++) user[`u${i}`] = await idOf(t, 'user', `u${i}`);
  for (const e of ['git-read', 'git-write', 'git-admin', 'crm-user', 'wiki-read']) ent[e] = await idOf(t, 'entitlement', e);
  token.u9 = await tokenFor(t, user.u9!, [...SCOPES, 'admin'], 'ADMIN');
  for (let i = 0; i < 9; i++) token[`u${i}`] = await tokenFor(t, user[`u${i}`]!, SCOPES);
  auto = await createPolicy(t, 'Auto-approve', []);
  const twoSteps = await createPolicy(t, 'Manager then security', [{ approverType: 'MANAGER' }, { approverType: 'USERS', userIds: [user.u1!, user.u2!] }]);
  const pair = await createPolicy(t, 'Either of two', [{ approverType: 'USERS', userIds: [user.u1!, user.u2!] }]);
  await t.admin(`mutation($e: [EntitlementInput!]!) { upsertEntitlements(entitlements: $e) { updated } }`, {
    e: [
      { externalId: 'git-admin', appExternalId: 'git', name: 'git-admin', requestPolicyId: twoSteps },
      { externalId: 'git-write', appExternalId: 'git', name: 'git-write', requestPolicyId: pair },
      { externalId: 'crm-user', appExternalId: 'crm', name: 'crm-user', requestPolicyId: auto },
    ],
  });
});
afterAll(async () => t?.stop());

describe('policies and decisions', () => {
  it('a two-step policy goes to the manager, then to the named approvers, then provisions', async () => {
    const created = await requestOk(ent['git-admin']!, token.u3!);
    expect(created).toMatchObject({ state: 'PENDING_APPROVAL', origin: 'SELF_SERVICE', currentStep: 0, approvers: [{ id: user.u0 }] });
    // A named approver of step 2 cannot decide step 1: they may not see the task yet, so it is
    // NOT_FOUND, as for an unknown id (no mutation tells a task one may not see from none).
    expect(codesOf(await t.request(decide(true), { id: created.id }, token.u1))).toEqual(['NOT_FOUND']);
    const inbox = await t.request<{ tasks: { edges: { node: { id: string } }[] } }>(`{ tasks(assignedToViewer: true) { edges { node { id } } } }`, {}, token.u0);
    expect(inbox.data!.tasks.edges.map((e) => e.node.id)).toContain(created.id);

    const afterManager = (await t.request<{ r: any }>(decide(true), { id: created.id, c: 'ok by me' }, token.u0)).data!.r;
    expect(afterManager.state).toBe('PENDING_APPROVAL');
    expect(afterManager.currentStep).toBe(1);
    expect(afterManager.approvers.map((a: { id: string }) => a.id).sort()).toEqual([user.u1, user.u2].sort());
    // The approver of the current step sees it in their inbox and through node(id).
    const seen = await t.request<{ node: { id: string } | null }>(`query($id: ID!) { node(id: $id) { id } }`, { id: created.id }, token.u2);
    expect(seen.data!.node?.id).toBe(created.id);

    const done = (await t.request<{ r: any }>(decide(true), { id: created.id }, token.u2)).data!.r;
    expect(done.state).toBe('DONE');
    expect(done.approvals).toEqual([
      { approver: { id: user.u0 }, approved: true, comment: 'ok by me', step: 0 },
      { approver: { id: user.u2 }, approved: true, comment: null, step: 1 },
    ]);
    expect(sourcesOf((await grantsOf(t, user.u3!)).get(ent['git-admin']!))).toEqual(['DIRECT']);
  });

  it('a denial ends the task and grants nothing; deciding it again is a conflict', async () => {
    const created = await requestOk(ent['git-admin']!, token.u4!);
    const denied = (await t.request<{ r: any }>(decide(false), { id: created.id, c: 'not needed' }, token.u0)).data!.r;
    expect(denied).toMatchObject({ state: 'DENIED', closeReason: 'not needed', approvers: [], currentStep: null });
    expect(codesOf(await t.request(decide(true), { id: created.id }, token.u0))).toEqual(['CONFLICT']);
    expect(codesOf(await t.request(decide(false), { id: created.id }, token.u9))).toEqual(['CONFLICT']);
    expect((await grantsOf(t, user.u4!)).has(ent['git-admin']!)).toBe(false);
  });

  it('nobody approves their own access; a step that resolves to nobody goes to the admins', async () => {
    // u1 is a named approver of git-write's only step: for u1's own request that leaves u2.
    const own = await requestOk(ent['git-write']!, token.u1!);
    expect(own.approvers).toEqual([{ id: user.u2 }]);
    expect(codesOf(await t.request(decide(true), { id: own.id }, token.u1))).toEqual(['FORBIDDEN']);
    // u0 has no manager: the MANAGER step of the default request policy goes to the admins.
    const orphan = await requestOk(ent['wiki-read']!, token.u0!);
    expect(orphan).toMatchObject({ state: 'PENDING_APPROVAL', approvers: [{ id: user.u9 }] });
    const adminInbox = await t.request<{ tasks: { edges: { node: { id: string } }[] } }>(`{ tasks(assignedToViewer: true) { edges { node { id } } } }`, {}, token.u9);
    expect(adminInbox.data!.tasks.edges.map((e) => e.node.id)).toContain(orphan.id);
    expect(codesOf(await t.request(decide(true), { id: orphan.id }, token.u0))).toEqual(['FORBIDDEN']);
    expect((await t.request<{ r: any }>(decide(true), { id: orphan.id }, token.u9)).data!.r.state).toBe('DONE');
  });

  it('two reviewers approving the same task at the same moment produce one effect', async () => {
    const created = await requestOk(ent['git-write']!, token.u5!);
    const [a, b] = await Promise.all([t.request(decide(true), { id: created.id }, token.u1), t.request(decide(true), { id: created.id }, token.u2)]);
    // The later one finds the step decided by the other: no longer theirs to see, so NOT_FOUND.
    expect([codesOf(a), codesOf(b)].map((c) => c[0] ?? 'OK').sort()).toEqual(['NOT_FOUND', 'OK']);
    const [effects] = await graph<{ grants: number; approvals: number; done: number }>(
      t,
      `MATCH (t:Task {id: $id})
       RETURN COUNT { (:User {id: $u})-[:HOLDS]->(:Grant)-[:OF]->(:Entitlement {id: $e}) } AS grants,
              COUNT { (t)-[:HAS_APPROVAL]->() } AS approvals,
              COUNT { MATCH (ev:Event {taskId: $id, type: 'TASK_DONE'}) } AS done`,
      { id: rawId(created.id), u: rawId(user.u5!), e: rawId(ent['git-write']!) },
    );
    expect(effects).toEqual({ grants: 1, approvals: 1, done: 1 });
  });
});

describe('manual provisioning', () => {
  it("an approved task of a MANUAL app waits for its owner, who completes it", async () => {
    const created = await requestOk(ent['crm-user']!, token.u3!);
    expect(created.state).toBe('PENDING_PROVISIONING');
    const complete = `mutation($id: ID!) { completeProvisioning(taskId: $id) { state } }`;
    expect(codesOf(await t.request(complete, { id: created.id }, token.u3))).toEqual(['FORBIDDEN']);
    const inbox = await t.request<{ tasks: { edges: { node: { id: string } }[] } }>(`{ tasks(assignedToViewer: true) { edges { node { id } } } }`, {}, token.u2);
    expect(inbox.data!.tasks.edges.map((e) => e.node.id)).toContain(created.id);
    expect((await t.request<{ completeProvisioning: { state: string } }>(complete, { id: created.id }, token.u2)).data!.completeProvisioning.state).toBe('DONE');
    expect((await grantsOf(t, user.u3!)).has(ent['crm-user']!)).toBe(true);
    expect(codesOf(await t.request(complete, { id: created.id }, token.u2))).toEqual(['CONFLICT']);
  });

  it('a failed provisioning ends the task FAILED and grants nothing', async () => {
    const created = await requestOk(ent['crm-user']!, token.u4!);
    const fail = `mutation($id: ID!, $r: String!) { failProvisioning(taskId: $id, reason: $r) { state closeReason } }`;
    const failed = await t.request<{ failProvisioning: { state: string; closeReason: string } }>(fail, { id: created.id, r: 'license pool empty' }, token.u2);
    expect(failed.data!.failProvisioning).toEqual({ state: 'FAILED', closeReason: 'license pool empty' });
    expect((await grantsOf(t, user.u4!)).has(ent['crm-user']!)).toBe(false);
    expect(codesOf(await t.request(`mutation($id: ID!) { completeProvisioning(taskId: $id) { state } }`, { id: created.id }, token.u2))).toEqual(['CONFLICT']);
  });
});

describe('self-service', () => {
  it('the requester cancels their open request; others may not; a closed one is a conflict', async () => {
    const created = await requestOk(ent['git-admin']!, token.u6!);
    const cancel = `mutation($id: ID!) { cancelTask(taskId: $id, reason: "changed my mind") { state closeReason } }`;
    // Someone unrelated may not see the task: NOT_FOUND, as for an unknown id.
    expect(codesOf(await t.request(cancel, { id: created.id }, token.u7))).toEqual(['NOT_FOUND']);
    expect((await t.request<{ cancelTask: any }>(cancel, { id: created.id }, token.u6)).data!.cancelTask).toEqual({ state: 'CANCELLED', closeReason: 'changed my mind' });
    expect(codesOf(await t.request(cancel, { id: created.id }, token.u6))).toEqual(['CONFLICT']);
  });

  it('asking twice returns the open task; a held entitlement is refused', async () => {
    const first = await requestOk(ent['git-admin']!, token.u7!);
    const second = await requestOk(ent['git-admin']!, token.u7!);
    expect(second.id).toBe(first.id);
    expect(codesOf(await request(ent['git-admin']!, token.u3!))).toEqual(['BAD_USER_INPUT']);
  });

  it('a profile takes enrollment requests only when it allows them', async () => {
    const closed = await createProfile(t, { name: 'Closed', enrollmentPolicyId: auto });
    expect(codesOf(await request(closed.enrollmentEntitlementId, token.u8!))).toEqual(['FORBIDDEN']);
    const open = await createProfile(t, { name: 'Open', allowEnrollmentRequests: true, bypassItemRequestPolicies: true }, [ent['git-read']!]);
    const created = await requestOk(open.enrollmentEntitlementId, token.u8!);
    // No enrollment policy: the deployment default (the manager) decides.
    expect(created).toMatchObject({ state: 'PENDING_APPROVAL', profile: { id: open.id }, approvers: [{ id: user.u0 }] });
    const done = (await t.request<{ r: any }>(decide(true), { id: created.id }, token.u0)).data!.r;
    expect(done.state).toBe('DONE');
    const [membership] = await graph<{ via: string }>(t, `MATCH (:User {id: $u})-[:HOLDS]->(g:Grant)-[:OF]->(:Entitlement {id: $e}) RETURN g.enrolledVia AS via`, {
      u: rawId(user.u8!),
      e: rawId(open.enrollmentEntitlementId),
    });
    expect(membership?.via).toBe('SELF_SERVICE');
    expect(sourcesOf((await grantsOf(t, user.u8!)).get(ent['git-read']!))).toEqual([`PROFILE:${open.id}`]);
  });

  it('a user lists their own tasks, not others', async () => {
    const mine = await t.request<{ viewer: { tasks: { totalCount: number } } }>(`{ viewer { tasks { totalCount } } }`, {}, token.u6);
    expect(mine.data!.viewer.tasks.totalCount).toBe(1);
    expect(codesOf(await t.request(`query($u: ID!) { tasks(userId: $u) { totalCount } }`, { u: user.u3 }, token.u6))).toEqual(['FORBIDDEN']);
  });
});

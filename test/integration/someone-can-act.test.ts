/**
 * Every open step has someone who can act: a step whose approvers resolve to nobody (a manager
 * policy for a user with no manager) goes to the admins; while no user holds the ADMIN role the
 * bootstrap admin credential stands in for them (it sees the task in its inbox and decides it,
 * recorded as the credential's); once an ADMIN user exists, that user does, and the credential
 * no longer decides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';
import { createPolicy } from '../helpers/workflow.js';

let t: TestApp;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  // u0 has no manager (ingestOrg makes u0 everyone's manager).
  await ingestOrg(t, 3, [{ externalId: 'crm', name: 'CRM', entitlements: ['crm-user', 'crm-admin', 'crm-audit'] }]);
  for (const u of ['u0', 'u1', 'u2']) ids[u] = await idOf(t, 'user', u);
  const managerPolicy = await createPolicy(t, 'Manager approves', [{ approverType: 'MANAGER' }]);
  for (const e of ['crm-user', 'crm-admin', 'crm-audit']) {
    ids[e] = await idOf(t, 'entitlement', e);
    await t.admin(`mutation($e: [EntitlementInput!]!) { upsertEntitlements(entitlements: $e) { created } }`, {
      e: [{ externalId: e, appExternalId: 'crm', name: e, requestPolicyId: managerPolicy }],
    });
  }
});
afterAll(async () => t?.stop());

const TASK = `query($id: ID!) { node(id: $id) { ... on Task { state approvers { id } approvals { approver { id } byAdminToken approved } } } }`;
const INBOX = `{ tasks(assignedToViewer: true) { edges { node { id } } } }`;
const inboxOf = async (token?: string) => ((await t.request<any>(INBOX, {}, token)).data?.tasks.edges ?? []).map((e: any) => e.node.id);

/** u0 (no manager) asks for an entitlement under the manager policy; returns the task's id. */
async function orphanRequest(entitlement: string): Promise<string> {
  const token = await tokenFor(t, ids.u0!, ['request', 'read']);
  const body = await t.request<any>(`mutation($e: ID!) { requestAccess(entitlementId: $e) { id state approvers { id } } }`, { e: ids[entitlement] }, token);
  expect(body.errors).toBeUndefined();
  expect(body.data.requestAccess.state).toBe('PENDING_APPROVAL');
  return body.data.requestAccess.id;
}

describe('a step whose approvers resolve to nobody', () => {
  it('is decided by the bootstrap admin credential while no user holds the ADMIN role', async () => {
    const taskId = await orphanRequest('crm-user');
    expect(await inboxOf()).toContain(taskId);
    const body = await t.request<any>(`mutation($id: ID!) { approveTask(taskId: $id, comment: "standing in") { state } }`, { id: taskId });
    expect(body.errors).toBeUndefined();
    expect(body.data.approveTask.state).toBe('DONE');
    const task = (await t.admin(TASK, { id: taskId })).node;
    expect(task.approvals).toEqual([{ approver: null, byAdminToken: true, approved: true }]);
  });

  it('goes to the ADMIN users once there are some: they see and decide it, the credential does not', async () => {
    const adminToken = await tokenFor(t, ids.u2!, ['read', 'review', 'admin'], 'ADMIN');
    const taskId = await orphanRequest('crm-admin');
    const task = (await t.admin(TASK, { id: taskId })).node;
    expect(task.approvers).toEqual([{ id: ids.u2 }]);
    expect(await inboxOf()).not.toContain(taskId);
    expect(await inboxOf(adminToken)).toContain(taskId);

    const refused = await t.request(`mutation($id: ID!) { approveTask(taskId: $id) { state } }`, { id: taskId });
    expect(codesOf(refused)).toEqual(['FORBIDDEN']);
    expect((await t.admin(TASK, { id: taskId })).node.state).toBe('PENDING_APPROVAL');

    const decided = await t.request<any>(`mutation($id: ID!) { denyTask(taskId: $id, comment: "not needed") { state } }`, { id: taskId }, adminToken);
    expect(decided.errors).toBeUndefined();
    expect(decided.data.denyTask.state).toBe('DENIED');
  });

  it('a step with approvers of its own is never the credential\'s to decide', async () => {
    await t.admin(`mutation($u: ID!) { setUserRole(userId: $u, role: USER) { id } }`, { u: ids.u2 }); // no admin users again
    const token = await tokenFor(t, ids.u1!, ['request']);
    const body = await t.request<any>(`mutation($e: ID!) { requestAccess(entitlementId: $e) { id approvers { id } } }`, { e: ids['crm-audit'] }, token);
    expect(body.data.requestAccess.approvers).toEqual([{ id: ids.u0 }]);
    expect(codesOf(await t.request(`mutation($id: ID!) { approveTask(taskId: $id) { state } }`, { id: body.data.requestAccess.id }))).toEqual(['FORBIDDEN']);
  });
});

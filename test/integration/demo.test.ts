/**
 * The demo organisation, as the README promises it: loaded through the API, with a person to act
 * as for each role (an ADMIN, a reviewer, a provisioner, an employee), each with a working token;
 * a request of the CEO (who has no manager) under a manager policy goes to the ADMIN, who decides it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData, personaTokens } from '../../scripts/demo-data.js';
import { ADMIN_TOKEN, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let personas: Awaited<ReturnType<typeof personaTokens>>;

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await loadDemoData(t.app, ADMIN_TOKEN);
  personas = await personaTokens(t.app, ADMIN_TOKEN);
}, 240_000);
afterAll(async () => t?.stop());

const tokenOf = (key: string) => personas.find((p) => p.key === key)!.token;

describe('the demo organisation', () => {
  it('has a person to act as for each role, each with a working token', async () => {
    expect(personas.map((p) => p.key)).toEqual(['admin', 'reviewer', 'provisioner', 'employee']);
    for (const p of personas) {
      const body = await t.request<any>(`{ viewer { displayName role } }`, {}, p.token);
      expect(body.errors).toBeUndefined();
      expect(p.name).toContain(body.data.viewer.displayName);
    }
    expect((await t.request<any>(`{ viewer { role } }`, {}, tokenOf('admin'))).data.viewer.role).toBe('ADMIN');
  });

  it("sends the CEO's request under a manager policy to the ADMIN, who decides it; the employee's to their manager", async () => {
    const ids = await t.admin(`{ ceo: userByExternalId(externalId: "emp-0000") { id } sales: entitlementByExternalId(externalId: "chat-sales") { id } }`);
    const ceoToken = (await t.admin(`mutation($u: ID!) { createApiToken(userId: $u, name: "ceo", scopes: ["request", "read"]) { token } }`, { u: ids.ceo.id })).createApiToken.token;
    const asked = await t.request<any>(`mutation($e: ID!) { requestAccess(entitlementId: $e) { id approvers { displayName } } }`, { e: ids.sales.id }, ceoToken);
    const adminName = (await t.request<any>(`{ viewer { displayName } }`, {}, tokenOf('admin'))).data.viewer.displayName;
    expect(asked.data.requestAccess.approvers).toEqual([{ displayName: adminName }]);
    const decided = await t.request<any>(`mutation($id: ID!) { approveTask(taskId: $id) { state } }`, { id: asked.data.requestAccess.id }, tokenOf('admin'));
    expect(decided.data.approveTask.state).toBe('DONE');

    const mine = await t.request<any>(`mutation($e: ID!) { requestAccess(entitlementId: $e) { id } }`, { e: ids.sales.id }, tokenOf('employee'));
    const inbox = await t.request<any>(`{ tasks(assignedToViewer: true) { edges { node { id } } } }`, {}, tokenOf('reviewer'));
    expect(inbox.data.tasks.edges.map((e: any) => e.node.id)).toContain(mine.data.requestAccess.id);
  });
});

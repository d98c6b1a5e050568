/**
 * No task oracle: a task the viewer may not see answers each of the five task mutations exactly
 * as an unknown id does (NOT_FOUND, the same message but for the id), whatever its state, and
 * stays as it was. Before, approveTask on a hidden DONE task said CONFLICT "it is DONE", and
 * cancelTask said FORBIDDEN for a real id but NOT_FOUND for an unknown one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/ids.js';
import { resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { asOk, buildAuthorizationGraph, freshEntitlement, type Fixture } from '../helpers/authorization-graph.js';
import { idOf, tokenFor } from '../helpers/fixtures.js';

let t: TestApp;
let f: Fixture;
let eve: string;
let eveReader: string;
const hidden: Record<string, string> = {};

const MUTATIONS: Record<string, string> = {
  approveTask: `mutation($id: ID!) { approveTask(taskId: $id, comment: "ok") { id state } }`,
  denyTask: `mutation($id: ID!) { denyTask(taskId: $id, comment: "no") { id state } }`,
  completeProvisioning: `mutation($id: ID!) { completeProvisioning(taskId: $id) { id state } }`,
  failProvisioning: `mutation($id: ID!) { failProvisioning(taskId: $id, reason: "could not") { id state } }`,
  cancelTask: `mutation($id: ID!) { cancelTask(taskId: $id, reason: "withdrawn") { id state } }`,
};

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  f = await buildAuthorizationGraph(t);
  // eve reviews, provisions and requests, but is no approver, owner, requester or subject of carol's tasks.
  await t.admin(`mutation { upsertUsers(users: [{ externalId: "eve", email: "eve@example.com", displayName: "Eve" }]) { created } }`);
  const eveId = await idOf(t, 'user', 'eve');
  eve = await tokenFor(t, eveId, ['request', 'review', 'provision']);
  eveReader = await tokenFor(t, eveId, ['read', 'review']);
  const dave = await tokenFor(t, f.user.dave!, ['review']);
  const request = async (): Promise<string> => {
    const e = await freshEntitlement(t, f, 'private');
    return (await asOk(t, f.requestToken.carol!, `mutation($e: ID!) { requestAccess(entitlementId: $e) { id } }`, { e })).requestAccess.id;
  };
  hidden.PENDING_APPROVAL = await request();
  hidden.PENDING_PROVISIONING = await request();
  await asOk(t, dave, MUTATIONS.approveTask!, { id: hidden.PENDING_PROVISIONING });
  hidden.DONE = await request();
  await asOk(t, dave, MUTATIONS.approveTask!, { id: hidden.DONE });
  await t.admin(MUTATIONS.completeProvisioning!, { id: hidden.DONE });
  hidden.DENIED = await request();
  await asOk(t, dave, MUTATIONS.denyTask!, { id: hidden.DENIED });
  hidden.FAILED = await request();
  await asOk(t, dave, MUTATIONS.approveTask!, { id: hidden.FAILED });
  await t.admin(MUTATIONS.failProvisioning!, { id: hidden.FAILED });
  hidden.CANCELLED = await request();
  await asOk(t, f.requestToken.carol!, MUTATIONS.cancelTask!, { id: hidden.CANCELLED });
});

const stateOf = async (id: string): Promise<string> => (await t.admin<{ node: { state: string } }>(`query($id: ID!) { node(id: $id) { ... on Task { state } } }`, { id })).node.state;

/** The answer with the id taken out of its message: what a caller could compare. */
async function answer(token: string, mutation: string, id: string) {
  const body = await t.request(MUTATIONS[mutation]!, { id }, token);
  return { data: body.data, errors: body.errors?.map((e) => ({ ...e, message: e.message.replace(id, '<id>') })) };
}

describe('a task the viewer may not see', () => {
  it('is hidden from the viewer (the premise)', async () => {
    for (const id of Object.values(hidden)) {
      const body = await t.request(`query($id: ID!) { node(id: $id) { id } }`, { id }, eveReader);
      expect(body.data?.node ?? null).toBeNull();
    }
  });

  for (const mutation of Object.keys(MUTATIONS)) {
    it(`${mutation} answers NOT_FOUND exactly as for an unknown id, whatever its state, and changes nothing`, async () => {
      const unknown = await answer(eve, mutation, encodeGlobalId('Task', `no-such-task-${mutation}`));
      expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      for (const [state, id] of Object.entries(hidden)) {
        expect({ state, ...(await answer(eve, mutation, id)) }).toEqual({ state, ...unknown });
        expect(await stateOf(id)).toBe(state);
      }
    });
  }

  it('a viewer who may see the task still gets the reason (CONFLICT with its state)', async () => {
    const body = await t.request(MUTATIONS.approveTask!, { id: hidden.DONE }, f.token.adminAll!);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', state: 'DONE' });
  });
});

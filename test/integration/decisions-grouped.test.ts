/**
 * Decisions that arrive together are written together (src/workflow/decisions.ts), and each still
 * answers as it would alone: its own checks, its own error (a refused decision changes nothing),
 * its own audit entry and events; two decisions on one task, or about one subject, are written one
 * after the other; a failure that is not a refusal reaches only the decision it belongs to.
 *
 * To make the group certain, the test holds a write lock on the first two tasks decided (each
 * goes alone, the queue has two groups in flight), sends the other decisions while those wait,
 * and lets go once they are all queued: they then go as one group.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeGlobalId, rawIdOf } from '../../src/ids.js';
import { quiescent, resetGraph, runCypher, startTestApp, type GraphQLResponse, type TestApp } from '../helpers/app.js';
import { entriesAfter, headSeq, VERIFY } from '../helpers/audit.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';
import { createPolicy } from '../helpers/workflow.js';

let t: TestApp;
const user: Record<string, string> = {};
const token: Record<string, string> = {};
const entitlement: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, 10, [{ externalId: 'app', name: 'App', entitlements: ['one', 'two', 'three', 'hold'] }]);
  for (let i = 0; i < 10; i += 1) user[`u${i}`] = await idOf(t, 'user', `u${i}`);
  const oneStep = await createPolicy(t, 'u1 decides', [{ approverType: 'USERS', userIds: [user.u1!] }]);
  const twoSteps = await createPolicy(t, 'u1, then u0', [
    { approverType: 'USERS', userIds: [user.u1!] },
    { approverType: 'USERS', userIds: [user.u0!] },
  ]);
  await t.admin(`mutation($e: [EntitlementInput!]!) { upsertEntitlements(entitlements: $e) { updated } }`, {
    e: [
      { externalId: 'one', appExternalId: 'app', name: 'one', requestPolicyId: oneStep },
      { externalId: 'two', appExternalId: 'app', name: 'two', requestPolicyId: twoSteps },
      { externalId: 'three', appExternalId: 'app', name: 'three', requestPolicyId: oneStep },
      { externalId: 'hold', appExternalId: 'app', name: 'hold', requestPolicyId: oneStep },
    ],
  });
  for (const e of ['one', 'two', 'three', 'hold']) entitlement[e] = await idOf(t, 'entitlement', e);
  token.u1 = await tokenFor(t, user.u1!, ['read', 'review', 'request']);
  token.u2 = await tokenFor(t, user.u2!, ['read', 'review']);
  for (let i = 3; i < 10; i += 1) token[`u${i}`] = await tokenFor(t, user[`u${i}`]!, ['request']);
});
afterAll(async () => t?.stop());

const APPROVE = `mutation($id: ID!, $c: String) { approveTask(taskId: $id, comment: $c) { id state currentStep } }`;
const DENY = `mutation($id: ID!, $c: String) { denyTask(taskId: $id, comment: $c) { id state currentStep } }`;

async function request(who: string, what: string): Promise<string> {
  const body = await t.request<{ requestAccess: { id: string } }>(`mutation($e: ID!) { requestAccess(entitlementId: $e) { id } }`, { e: entitlement[what] }, token[who]);
  expect(body.errors).toBeUndefined();
  return body.data!.requestAccess.id;
}

const stateOf = async (id: string) => (await t.admin<{ node: { state: string; currentStep: number | null } }>(`query($id: ID!) { node(id: $id) { ... on Task { state currentStep } } }`, { id })).node;
const groups = () => t.app.services.workflow.decisions.groups;

/** Holds a write lock on the tasks until `release` (a transaction of the test's own, on the same Neo4j). */
async function holdLocks(taskIds: string[]) {
  const session = t.app.services.db.driver.session();
  const tx = await session.beginTransaction();
  await tx.run(`UNWIND $ids AS id MATCH (t:Task {id: id}) SET t.heldByTest = true`, { ids: taskIds.map((id) => rawIdOf('Task', id)) });
  return async () => {
    await tx.rollback();
    await session.close();
  };
}

/** Sends the decisions behind two held ones, so that they queue and then go as one group; returns every answer. */
async function decideBehindHeld(held: [string, string], decisions: { query: string; id: string; comment?: string; token: string }[]) {
  const release = await holdLocks(held);
  const queue = t.app.services.workflow.decisions;
  const first = held.map((id) => t.request(APPROVE, { id, c: 'held' }, token.u1));
  await vi.waitFor(() => expect(queue.inFlightCount).toBe(2), { timeout: 10_000, interval: 20 });
  const rest = decisions.map((d) => t.request(d.query, { id: d.id, c: d.comment ?? null }, d.token));
  await vi.waitFor(() => expect(queue.queued).toBe(decisions.length), { timeout: 10_000, interval: 20 });
  await release();
  const answers = await Promise.all([...first, ...rest]);
  await quiescent(t);
  return { held: answers.slice(0, 2) as GraphQLResponse<any>[], answers: answers.slice(2) as GraphQLResponse<any>[] };
}

describe('decisions that arrive together', () => {
  it('are written as one group, each answering, recording and refusing as it would alone', async () => {
    const held: [string, string] = [await request('u3', 'hold'), await request('u4', 'hold')];
    const approved = [await request('u5', 'one'), await request('u6', 'one')];
    const denied = await request('u7', 'one');
    const stepped = await request('u8', 'two');
    const notTheirs = await request('u9', 'one');
    const secondOfSubject = await request('u5', 'three');
    const own = await request('u1', 'three');
    const seq = await headSeq(t);
    const before = groups();

    const { held: heldAnswers, answers } = await decideBehindHeld(held, [
      { query: APPROVE, id: approved[0]!, comment: 'fine', token: token.u1! },
      { query: APPROVE, id: approved[1]!, comment: 'fine', token: token.u1! },
      { query: DENY, id: denied, comment: 'not needed', token: token.u1! },
      { query: APPROVE, id: stepped, comment: 'first step', token: token.u1! },
      { query: APPROVE, id: notTheirs, token: token.u2! },
      { query: APPROVE, id: encodeGlobalId('Task', 'no-such-task'), token: token.u1! },
      { query: APPROVE, id: approved[1]!, comment: 'fine', token: token.u1! },
      { query: APPROVE, id: secondOfSubject, comment: 'also fine', token: token.u1! },
      { query: APPROVE, id: own, token: token.u1! },
    ]);
    const [a0, a1, d, s, hidden, unknown, twice, second, ownAnswer] = answers;

    for (const answer of heldAnswers) expect(answer.data?.approveTask.state).toBe('DONE');
    expect(a0!.data?.approveTask).toMatchObject({ id: approved[0], state: 'DONE' });
    expect(d!.data?.denyTask).toMatchObject({ id: denied, state: 'DENIED' });
    expect(s!.data?.approveTask).toMatchObject({ id: stepped, state: 'PENDING_APPROVAL', currentStep: 1 });
    // Refused, each with its own error: a task u2 may not see answers as an unknown id does.
    expect(hidden!.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(unknown!.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(ownAnswer!.errors?.[0]).toMatchObject({ message: 'Nobody decides a task about their own access', extensions: { code: 'FORBIDDEN' } });
    // Two decisions on one task are never written in one transaction: one is, the other finds it decided.
    const onOneTask = [a1!, twice!];
    expect(onOneTask.filter((a) => a.data?.approveTask?.state === 'DONE')).toHaveLength(1);
    expect(onOneTask.flatMap((a) => a.errors ?? []).map((e) => [e.extensions?.code, e.message.includes('it is DONE')])).toEqual([['CONFLICT', true]]);
    // Two decisions about u5's access were written one after the other, and both stand.
    expect(second!.data?.approveTask).toMatchObject({ id: secondOfSubject, state: 'DONE' });

    // The refused decisions changed nothing, and no lock left a mark.
    for (const id of [notTheirs, own]) expect(await stateOf(id)).toEqual({ state: 'PENDING_APPROVAL', currentStep: 0 });
    const marks = await runCypher<{ n: number }>(t, `MATCH (t:Task) WHERE t._lock IS NOT NULL OR t.heldByTest IS NOT NULL RETURN count(t) AS n`);
    expect(marks[0]!.n).toBe(0);

    // Eleven decisions: the two held ones alone, then the other nine in at most three transactions
    // (the group; the second decision on one task; the second about u5, when the group took the first).
    expect(groups() - before).toBeGreaterThanOrEqual(3);
    expect(groups() - before).toBeLessThanOrEqual(5);

    // Each written decision has its own audit entry, its reviewer as actor; the chain verifies.
    const entries = (await entriesAfter(t, seq)).filter((e) => e.subjectType === 'Task');
    const byTask = new Map(entries.map((e) => [e.subjectId, e]));
    expect(entries).toHaveLength(7);
    for (const id of [...held, ...approved, secondOfSubject]) expect(byTask.get(id)).toMatchObject({ action: 'TASK_APPROVED', actorUserId: user.u1, after: { state: 'DONE' } });
    expect(byTask.get(denied)).toMatchObject({ action: 'TASK_DENIED', actorUserId: user.u1, after: { state: 'DENIED', comment: 'not needed' } });
    expect(byTask.get(stepped)).toMatchObject({ action: 'TASK_STEP_APPROVED', before: { step: 0 }, after: { state: 'PENDING_APPROVAL', step: 1 } });
    expect((await t.admin(VERIFY)).verifyAuditLog.ok).toBe(true);

    // And its own events, in its task's order.
    const events = await runCypher<{ taskId: string; types: string[] }>(
      t,
      `MATCH (e:Event) WHERE e.taskId IN $ids WITH e ORDER BY e.seq RETURN e.taskId AS taskId, collect(e.type) AS types`,
      { ids: [...held, ...approved, denied, stepped, secondOfSubject, notTheirs, own].map((id) => rawIdOf('Task', id)) },
    );
    const typesOf = new Map(events.map((e) => [encodeGlobalId('Task', e.taskId), e.types]));
    for (const id of [...held, ...approved, secondOfSubject]) expect(typesOf.get(id)).toEqual(['TASK_CREATED', 'TASK_APPROVED', 'TASK_DONE']);
    expect(typesOf.get(denied)).toEqual(['TASK_CREATED', 'TASK_DENIED']);
    expect(typesOf.get(stepped)).toEqual(['TASK_CREATED', 'TASK_STEP_APPROVED']);
    for (const id of [notTheirs, own]) expect(typesOf.get(id)).toEqual(['TASK_CREATED']);

    // The grants were provisioned; the stepped task waits for u0.
    const holders = await t.admin<{ a: { totalCount: number }; b: { totalCount: number } }>(
      `query($one: ID!, $three: ID!) { a: entitlementHolders(entitlementId: $one) { totalCount } b: entitlementHolders(entitlementId: $three) { totalCount } }`,
      { one: entitlement.one, three: entitlement.three },
    );
    expect([holders.a.totalCount, holders.b.totalCount]).toEqual([2, 1]);
    const inbox = await t.request<any>(`{ tasks(assignedToViewer: true, first: 50) { edges { node { id } } } }`, {}, await tokenFor(t, user.u0!, ['read', 'review']));
    expect(inbox.data.tasks.edges.map((e: any) => e.node.id)).toEqual([stepped]);
  });

  it('answers a failure that is not a refusal to its own decision only: the others are written again alone', async () => {
    const held: [string, string] = [await request('u3', 'one'), await request('u4', 'one')];
    const good = [await request('u6', 'two'), await request('u7', 'two')];
    const failing = await request('u9', 'three');
    const engine = t.app.services.tasks.engine;
    const approve = engine.approve.bind(engine);
    const spy = vi.spyOn(engine, 'approve').mockImplementation(async (tx, ids, outcome, depth, already) => {
      if (ids.includes(rawIdOf('Task', failing))) throw new Error('provisioning blew up');
      return approve(tx, ids, outcome, depth, already);
    });
    try {
      const { answers } = await decideBehindHeld(held, [
        { query: APPROVE, id: good[0]!, token: token.u1! },
        { query: APPROVE, id: failing, token: token.u1! },
        { query: APPROVE, id: good[1]!, token: token.u1! },
      ]);
      expect(answers[0]!.data?.approveTask).toMatchObject({ id: good[0], state: 'PENDING_APPROVAL', currentStep: 1 });
      expect(answers[1]!.errors?.[0]?.extensions?.code).toBe('INTERNAL');
      expect(answers[1]!.errors?.[0]?.message).not.toContain('blew up');
      expect(answers[2]!.data?.approveTask).toMatchObject({ id: good[1], state: 'PENDING_APPROVAL', currentStep: 1 });
    } finally {
      spy.mockRestore();
    }
    expect(await stateOf(failing)).toEqual({ state: 'PENDING_APPROVAL', currentStep: 0 });
    const approvals = await t.admin<{ node: { approvals: unknown[] } }>(`query($id: ID!) { node(id: $id) { ... on Task { approvals { approved } } } }`, { id: failing });
    expect(approvals.node.approvals).toEqual([]);
  });
});

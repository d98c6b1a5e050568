/**
 * The audit chain under many writers (docs/audit.md, "How entries are written"): a change that
 * changes nothing records nothing; an audited write takes no lock that another write needs (its
 * entries commit pending and are chained after commit, many writes per pass); concurrent writes
 * on two API instances sharing one Neo4j give one chain that verifies end to end, and an entry
 * edited in Neo4j is pointed at; entries an instance left pending (it crashed between its commit
 * and its pass) are chained by another instance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, resetGraph, runCypher, startTestApp, type TestApp } from '../helpers/app.js';
import { auditLog, entriesAfter, headSeq } from '../helpers/audit.js';
import { idOf, tokenFor } from '../helpers/fixtures.js';
import { createProfile } from '../helpers/workflow.js';

let t: TestApp;
let other: TestApp;
const VERIFY = `{ verifyAuditLog { ok checked headSeq firstBrokenSeq problem pending } }`;
/** Approving clients (each a manager with their own reports and entitlement) and ingest clients. */
const APPROVERS = 8;
const INGESTERS = 8;
const ROUNDS = 3;
const reviewerTokens: string[] = [];
const requesterTokens: string[][] = [];
const entitlementIds: string[] = [];

async function ok<T = any>(app: TestApp, query: string, variables: Record<string, unknown> = {}, token: string = ADMIN_TOKEN): Promise<T> {
  const body = await app.request<T>(query, variables, token);
  if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data as T;
}

const verify = async (app: TestApp = t) => (await ok(app, VERIFY)).verifyAuditLog;
const pendingInGraph = async () => Number((await runCypher<{ n: number }>(t, `MATCH (e:AuditPending) RETURN count(e) AS n`))[0]!.n);

/** Whether `work` answers while something else holds a lock; gives up (false) after `ms`. */
async function answersWithin<T>(work: Promise<T>, ms: number): Promise<{ answered: boolean; value?: T }> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<{ answered: boolean }>((resolve) => {
    timer = setTimeout(() => resolve({ answered: false }), ms);
  });
  try {
    return await Promise.race([work.then((value) => ({ answered: true, value })), gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}

const users = (prefix: string, count: number, round: number, manager?: string) =>
  Array.from({ length: count }, (_, i) => ({ externalId: `${prefix}-${i}`, email: `${prefix}-${i}@example.com`, displayName: `${prefix} ${i} r${round}`, managerExternalId: manager ?? null }));
const UPSERT_USERS = `mutation($u: [UserInput!]!) { upsertUsers(users: $u) { created updated unchanged } }`;
const REQUEST = `mutation($e: ID!) { requestAccess(entitlementId: $e) { id } }`;
const APPROVE = `mutation($id: ID!) { approveTask(taskId: $id, comment: "ok") { id state } }`;

beforeAll(async () => {
  t = await startTestApp();
  other = await startTestApp();
  await resetGraph(t.app);
  // Reviewer k manages requesters q<k>-*, who ask for entitlement ent<k> (the default request
  // policy: one step, the manager). No two approving clients share a task, a user or an entitlement.
  await ok(t, UPSERT_USERS, { u: Array.from({ length: APPROVERS }, (_, k) => users(`rv${k}`, 1, 0)[0]) });
  await ok(t, UPSERT_USERS, { u: Array.from({ length: APPROVERS }, (_, k) => users(`q${k}`, ROUNDS + 1, 0, `rv${k}-0`)).flat() });
  await ok(t, `mutation { upsertApps(apps: [{ externalId: "app", name: "App", provisioning: AUTOMATIC }]) { created } }`);
  await ok(t, `mutation($e: [EntitlementInput!]!) { upsertEntitlements(entitlements: $e) { created } }`, {
    e: Array.from({ length: APPROVERS }, (_, k) => ({ externalId: `ent${k}`, appExternalId: 'app', name: `Entitlement ${k}` })),
  });
  for (let k = 0; k < APPROVERS; k += 1) {
    entitlementIds.push(await idOf(t, 'entitlement', `ent${k}`));
    reviewerTokens.push(await tokenFor(t, await idOf(t, 'user', `rv${k}-0`), ['read', 'review']));
    const tokens: string[] = [];
    for (let i = 0; i <= ROUNDS; i += 1) tokens.push(await tokenFor(t, await idOf(t, 'user', `q${k}-${i}`), ['read', 'request']));
    requesterTokens.push(tokens);
  }
});
afterAll(async () => {
  await other?.stop();
  await t?.stop();
});

describe('a change that changes nothing records nothing', () => {
  it('an ingest batch that creates, updates and removes nothing appends no entry; one that changes a row does', async () => {
    await ok(t, UPSERT_USERS, { u: users('same', 5, 0) });
    await ok(t, `mutation { upsertGrants(grants: [{ userExternalId: "same-0", entitlementExternalId: "ent0" }]) { created } }`);
    const before = await headSeq(t);

    const again = await ok(t, UPSERT_USERS, { u: users('same', 5, 0) });
    expect(again.upsertUsers).toEqual({ created: 0, updated: 0, unchanged: 5 });
    await ok(t, `mutation { upsertApps(apps: [{ externalId: "app", name: "App", provisioning: AUTOMATIC }]) { unchanged } }`);
    await ok(t, `mutation { upsertEntitlements(entitlements: [{ externalId: "ent0", appExternalId: "app", name: "Entitlement 0" }]) { unchanged } }`);
    const grants = await ok(t, `mutation { upsertGrants(grants: [{ userExternalId: "same-0", entitlementExternalId: "ent0" }], replaceForEntitlements: ["ent0"]) { created unchanged removed } }`);
    expect(grants.upsertGrants).toEqual({ created: 0, unchanged: 1, removed: 0 });
    await ok(t, `mutation { upsertUsers(users: []) { created } }`);
    expect(await entriesAfter(t, before)).toEqual([]);

    // One changed row in the batch: one entry, with the counts.
    const changed = users('same', 5, 0);
    changed[2]!.displayName = 'Renamed';
    await ok(t, UPSERT_USERS, { u: changed });
    const entries = await entriesAfter(t, before);
    expect(entries.map((e) => e.action)).toEqual(['INGEST_USERS']);
    expect(entries[0]!.after).toMatchObject({ created: 0, updated: 1, unchanged: 4 });
  });

  it('saving a profile, the safeguard or the automation as they are, or enrolling a member again, appends no entry', async () => {
    const profile = await createProfile(t, { name: 'Same' });
    const before = await headSeq(t);
    await ok(t, `mutation($id: ID!) { updateAccessProfile(id: $id, input: { name: "Same" }) { id } }`, { id: profile.id });
    const settings = (await ok(t, `{ safeguardSettings { minMembers maxUnenrollRatio } }`)).safeguardSettings;
    await ok(t, `mutation($m: Int!, $r: Float!) { updateSafeguardSettings(minMembers: $m, maxUnenrollRatio: $r) { minMembers } }`, { m: settings.minMembers, r: settings.maxUnenrollRatio });
    await ok(t, `mutation($p: ID!) { setMembershipAutomation(profileId: $p, input: { enabled: false }) { id } }`, { p: profile.id });
    expect(await entriesAfter(t, before)).toEqual([]);

    // The first enrollment asks (an entry, the task pending the profile's default policy); asking again changes nothing.
    const member = await idOf(t, 'user', 'same-1');
    await ok(t, `mutation($p: ID!, $u: [ID!]!) { enrollUsers(profileId: $p, userIds: $u) { id } }`, { p: profile.id, u: [member] });
    const enrolled = await entriesAfter(t, before);
    expect(enrolled.map((e) => e.action)).toContain('MEMBERS_ENROLLED');
    const seq = await headSeq(t);
    await ok(t, `mutation($p: ID!, $u: [ID!]!) { enrollUsers(profileId: $p, userIds: $u) { id } }`, { p: profile.id, u: [member] });
    expect(await entriesAfter(t, seq)).toEqual([]);
  });
});

describe('independent audited writes share no lock', () => {
  it('an ingest batch and an approval commit and answer while another transaction holds the chain head; their entries are chained once it lets go', async () => {
    const task = (await ok(t, REQUEST, { e: entitlementIds[0] }, requesterTokens[0]![ROUNDS]!)).requestAccess.id as string;
    const before = await headSeq(t);
    const session = t.app.services.db.driver.session();
    const holder = session.beginTransaction();
    try {
      await holder.run(`MERGE (c:Counter {name: 'audit'}) SET c.lockedAt = 'held by the test'`);
      // Before entries were chained after commit, both writes queued behind this lock.
      const [ingest, approval] = await Promise.all([
        answersWithin(ok(t, UPSERT_USERS, { u: users('held', 3, 0) }), 30_000),
        answersWithin(ok(t, APPROVE, { id: task }, reviewerTokens[0]), 30_000),
      ]);
      expect({ ingest: ingest.answered, approval: approval.answered }).toEqual({ ingest: true, approval: true });
      expect(approval.value.approveTask.state).toBe('DONE');
      // Committed with their changes, waiting to be chained.
      expect(await pendingInGraph()).toBe(2);
    } finally {
      await holder.rollback();
      await session.close();
    }
    const entries = await entriesAfter(t, before);
    expect(entries.map((e) => e.action).sort()).toEqual(['INGEST_USERS', 'TASK_APPROVED']);
    expect(await verify()).toMatchObject({ ok: true, pending: 0, problem: null });
  });
});

describe('concurrent writes on two instances sharing one Neo4j', () => {
  it(`${APPROVERS + INGESTERS} clients approving and ingesting at once give one chain that verifies end to end`, async () => {
    const tasks: string[][] = [];
    for (let k = 0; k < APPROVERS; k += 1) {
      const mine: string[] = [];
      for (let i = 0; i < ROUNDS; i += 1) mine.push((await ok(t, REQUEST, { e: entitlementIds[k] }, requesterTokens[k]![i]!)).requestAccess.id);
      tasks.push(mine);
    }
    const before = await headSeq(t);
    const instance = (k: number) => (k % 2 === 0 ? t : other);
    await Promise.all([
      ...Array.from({ length: APPROVERS }, async (_, k) => {
        for (const id of tasks[k]!) expect((await ok(instance(k), APPROVE, { id }, reviewerTokens[k])).approveTask.state).toBe('DONE');
      }),
      ...Array.from({ length: INGESTERS }, async (_, k) => {
        for (let round = 1; round <= ROUNDS; round += 1) {
          const { upsertUsers } = await ok(instance(k + 1), UPSERT_USERS, { u: users(`ing${k}`, 4, round) });
          expect(upsertUsers.created + upsertUsers.updated).toBe(4);
        }
      }),
    ]);

    const entries = await entriesAfter(t, before);
    // Every write's entry, once, with consecutive seqs after the head.
    expect(entries.filter((e) => e.action === 'TASK_APPROVED')).toHaveLength(APPROVERS * ROUNDS);
    expect(entries.filter((e) => e.action === 'INGEST_USERS')).toHaveLength(INGESTERS * ROUNDS);
    expect(new Set(entries.filter((e) => e.action === 'TASK_APPROVED').map((e) => e.subjectId)).size).toBe(APPROVERS * ROUNDS);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => before + i + 1));
    // Each links to the one before it.
    for (let i = 1; i < entries.length; i += 1) expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);

    const total = (await auditLog(t, { first: 1 })).totalCount;
    expect(await verify()).toEqual({ ok: true, checked: total, headSeq: total, firstBrokenSeq: null, problem: null, pending: 0 });
    expect(await verify(other)).toMatchObject({ ok: true, checked: total });

    // An entry of the run edited in Neo4j: the verification points at it, on either instance.
    const target = entries[Math.floor(entries.length / 2)]!;
    const [original] = await runCypher<{ after: string }>(t, `MATCH (e:AuditEntry {seq: $seq}) RETURN e.after AS after`, { seq: target.seq });
    await runCypher(t, `MATCH (e:AuditEntry {seq: $seq}) SET e.after = '{"forged":true}'`, { seq: target.seq });
    expect(await verify(other)).toMatchObject({ ok: false, firstBrokenSeq: target.seq, problem: 'HASH_MISMATCH' });
    await runCypher(t, `MATCH (e:AuditEntry {seq: $seq}) SET e.after = $after`, { seq: target.seq, after: original!.after });
    expect((await verify()).ok).toBe(true);
  });
});

describe('an instance that stops between its commits and chaining', () => {
  it("leaves its entries pending; the other instance chains them (its catch-up, or a read) and the chain verifies", async () => {
    const before = await headSeq(t);
    // As if `other` crashed after each commit, before its pass: its sealer no longer runs.
    await other.app.services.audit.sealer.stop();
    for (let round = 1; round <= 3; round += 1) await ok(other, UPSERT_USERS, { u: users('crash', 2, round) });
    expect(await pendingInGraph()).toBe(3);

    // Nobody reads the log: the live instance's catch-up (every few seconds) chains them.
    for (let i = 0; i < 300 && (await pendingInGraph()) > 0; i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(await pendingInGraph()).toBe(0);
    const entries = await entriesAfter(t, before);
    expect(entries.map((e) => [e.action, e.after.created, e.after.updated])).toEqual([
      ['INGEST_USERS', 2, 0],
      ['INGEST_USERS', 0, 2],
      ['INGEST_USERS', 0, 2],
    ]);
    const result = await verify();
    expect(result).toMatchObject({ ok: true, pending: 0 });
    expect(result.checked).toBe(result.headSeq);

    // A read chains what is pending before it answers, whatever instance wrote it.
    await ok(other, UPSERT_USERS, { u: users('crash', 2, 9) });
    expect((await auditLog(t, { first: 1 })).entries[0]).toMatchObject({ action: 'INGEST_USERS', after: { updated: 2 } });
    expect(await pendingInGraph()).toBe(0);
  });
});

/**
 * The audit trail: every change through the API appends an entry (who, when, what, before and
 * after) in the same transaction as the change, hash-chained; auditors page and filter it and
 * verify the chain, which detects an edited or a deleted entry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashOf, recordAudit, type AuditEntryRecord } from '../../src/audit/trail.js';
import { codesOf, quiescent, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { auditLog, entriesAfter, headSeq, VERIFY } from '../helpers/audit.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';
import { createPolicy, createProfile, graph, rawId } from '../helpers/workflow.js';

let t: TestApp;
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};

/** Runs a change and returns the entries it appended (oldest first). */
async function appended(change: () => Promise<unknown>) {
  const before = await headSeq(t);
  await change();
  return entriesAfter(t, before);
}

async function ok<T = any>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const body = await t.request<T>(query, variables, token);
  if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data as T;
}

/** The change fails with `code` and the log does not move. */
async function refusedWithoutEntry(code: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const before = await headSeq(t);
  expect(codesOf(await t.request(query, variables, token))).toEqual([code]);
  expect(await headSeq(t)).toBe(before);
}

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, 40, [
    { externalId: 'app', name: 'App', entitlements: ['e1', 'e2', 'e3', 'e4', 'e5', 'cond'] },
    { externalId: 'manual', name: 'Manual', provisioning: 'MANUAL', owners: ['u1'], entitlements: ['m1'] },
  ]);
  for (const u of ['u0', 'u1', 'u2', 'u3', 'u5', 'u6', 'u7', 'u8', 'u9']) ids[u] = await idOf(t, 'user', u);
  for (const e of ['e1', 'e2', 'e3', 'e4', 'e5', 'cond', 'm1']) ids[e] = await idOf(t, 'entitlement', e);
});
afterAll(async () => t?.stop());

describe('ingest', () => {
  it('one entry per upsert batch, with counts and the external ids, not one per row', async () => {
    const setup = (await auditLog(t, { action: 'INGEST_USERS' })).entries;
    expect(setup).toHaveLength(1);
    expect(setup[0]).toMatchObject({ actorKind: 'ADMIN_TOKEN', actorUserId: null, subjectType: 'User', subjectId: null, before: null });
    expect(setup[0]!.after).toMatchObject({ created: 40, updated: 0, unchanged: 0 });
    expect(setup[0]!.after.externalIds).toHaveLength(40);

    const entries = await appended(() =>
      ok(`mutation($g: [GrantInput!]!) { upsertGrants(grants: $g) { created } }`, {
        g: [
          { userExternalId: 'u30', entitlementExternalId: 'e4' },
          { userExternalId: 'u31', entitlementExternalId: 'e4' },
        ],
      }),
    );
    expect(entries.map((e) => e.action)).toEqual(['INGEST_GRANTS']);
    expect(entries[0]!.after).toMatchObject({ created: 2, grants: ['u30/e4', 'u31/e4'], replaceForEntitlements: [] });
  });

  it('a refused batch (bad row, unknown reference found inside the transaction) appends nothing', async () => {
    await refusedWithoutEntry('BAD_USER_INPUT', `mutation { upsertUsers(users: [{externalId: "x", email: "nope", displayName: "X"}]) { created } }`);
    await refusedWithoutEntry('BAD_USER_INPUT', `mutation { upsertGrants(grants: [{userExternalId: "ghost", entitlementExternalId: "e1"}]) { created } }`);
  });
});

describe('tokens, roles and settings', () => {
  it('role changes record before and after; token creation and revocation never record the secret', async () => {
    const role = await appended(() => ok(`mutation($u: ID!) { setUserRole(userId: $u, role: AUDITOR) { id } }`, { u: ids.u2 }));
    expect(role).toHaveLength(1);
    expect(role[0]).toMatchObject({ action: 'ROLE_CHANGED', subjectType: 'User', subjectId: ids.u2, before: { role: 'USER' }, after: { role: 'AUDITOR' } });

    let secret = '';
    let tokenId = '';
    const created = await appended(async () => {
      const data = await ok(`mutation($u: ID!) { createApiToken(userId: $u, name: "auditor", scopes: ["read"]) { token apiToken { id } } }`, { u: ids.u2 });
      secret = data.createApiToken.token;
      tokenId = data.createApiToken.apiToken.id;
    });
    tokens.auditor = secret;
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ action: 'TOKEN_CREATED', subjectType: 'ApiToken', subjectId: tokenId, after: { name: 'auditor', userId: rawId(ids.u2!), scopes: ['read'] } });
    const stored = await graph<{ text: string }>(t, `MATCH (e:AuditEntry {action: 'TOKEN_CREATED', subjectId: $id}) RETURN e.after + coalesce(e.before, '') AS text`, { id: tokenId });
    expect(stored[0]!.text).not.toContain(secret);
    expect(stored[0]!.text).not.toContain('hash');

    await refusedWithoutEntry('BAD_USER_INPUT', `mutation($u: ID!) { createApiToken(userId: $u, name: "x", scopes: ["root"]) { token } }`, { u: ids.u2 });

    const spare = await ok(`mutation($u: ID!) { createApiToken(userId: $u, name: "spare", scopes: ["read"]) { apiToken { id } } }`, { u: ids.u2 });
    const revoked = await appended(() => ok(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: spare.createApiToken.apiToken.id }));
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({ action: 'TOKEN_REVOKED', before: { revokedAt: null }, after: { name: 'spare' } });
    expect(revoked[0]!.after.revokedAt).toBeTruthy();
    // Revoking again changes nothing: nothing recorded.
    expect(await appended(() => ok(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: spare.createApiToken.apiToken.id }))).toHaveLength(0);
  });

  it('a user token is recorded as that user and token; safeguard settings record before and after', async () => {
    tokens.admin3 = await tokenFor(t, ids.u3!, ['admin', 'read'], 'ADMIN');
    const [tokenEntry] = (await auditLog(t, { action: 'TOKEN_CREATED', subjectType: 'ApiToken', first: 1 })).entries;
    const entries = await appended(() => ok(`mutation { updateSafeguardSettings(minMembers: 5, maxUnenrollRatio: 0.5) { minMembers } }`, {}, tokens.admin3));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'SAFEGUARD_SETTINGS_UPDATED',
      actorKind: 'USER',
      actorUserId: ids.u3,
      actorTokenId: tokenEntry!.subjectId,
      subjectType: 'Settings',
      subjectId: 'global',
      before: { minMembers: 100, maxUnenrollRatio: 0.2 },
      after: { minMembers: 5, maxUnenrollRatio: 0.5 },
    });
    await refusedWithoutEntry('BAD_USER_INPUT', `mutation { updateSafeguardSettings(minMembers: 5, maxUnenrollRatio: 2) { minMembers } }`, {}, tokens.admin3);
    await ok(`mutation { updateSafeguardSettings(minMembers: 100, maxUnenrollRatio: 0.2) { minMembers } }`);
  });

  it('only admins and auditors read the log', async () => {
    expect((await auditLog(t, { first: 1 }, tokens.auditor)).entries).toHaveLength(1);
    const user = await tokenFor(t, ids.u9!, ['read', 'request']);
    expect(codesOf(await t.request(`{ auditLog(first: 1) { totalCount } }`, {}, user))).toEqual(['FORBIDDEN']);
    expect(codesOf(await t.request(VERIFY, {}, user))).toEqual(['FORBIDDEN']);
    expect(codesOf(await t.request(`{ auditLog(first: 1) { totalCount } }`, {}, null))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('profiles and automation', () => {
  let profileId = '';

  it('policies and profiles created; profile updates with before and after; a refused update records nothing', async () => {
    const policy = await appended(() => createPolicy(t, 'Auto', []));
    expect(policy[0]).toMatchObject({ action: 'POLICY_CREATED', subjectType: 'Policy', after: { name: 'Auto', steps: [] } });
    ids.autoPolicy = policy[0]!.subjectId!;

    const created = await appended(async () => {
      profileId = (await createProfile(t, { name: 'Engineering', enrollmentPolicyId: ids.autoPolicy, bypassItemRequestPolicies: true })).id;
    });
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ action: 'PROFILE_CREATED', subjectId: profileId, before: null, after: { name: 'Engineering', bypassItemRequestPolicies: true, enrollmentPolicyId: rawId(ids.autoPolicy) } });

    const updated = await appended(() =>
      ok(`mutation($id: ID!) { updateAccessProfile(id: $id, input: {name: "Eng", unenrollmentAction: REVOKE_ALL}) { id } }`, { id: profileId }),
    );
    expect(updated[0]).toMatchObject({
      action: 'PROFILE_UPDATED',
      actorKind: 'ADMIN_TOKEN',
      before: { name: 'Engineering', unenrollmentAction: 'REVOKE_UNJUSTIFIED' },
      after: { name: 'Eng', unenrollmentAction: 'REVOKE_ALL' },
    });
    await refusedWithoutEntry('BAD_USER_INPUT', `mutation($id: ID!) { updateAccessProfile(id: $id, input: {name: ""}) { id } }`, { id: profileId });
  });

  it('items added and removed', async () => {
    const added = await appended(() => ok(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: profileId, e: [ids.e1, ids.e2] }));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ action: 'PROFILE_ITEMS_ADDED', subjectId: profileId });
    expect(added[0]!.after.added.sort()).toEqual([rawId(ids.e1!), rawId(ids.e2!)].sort());
    const removed = await appended(() => ok(`mutation($p: ID!, $e: [ID!]!) { removeProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: profileId, e: [ids.e2] }));
    expect(removed[0]).toMatchObject({ action: 'PROFILE_ITEMS_REMOVED', before: { removed: [rawId(ids.e2!)] } });
    await refusedWithoutEntry('BAD_USER_INPUT', `mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: profileId, e: [ids.u0] });
  });

  it('automation saved with before and after; the sync it starts records its run', async () => {
    await ok(`mutation($g: [GrantInput!]!) { upsertGrants(grants: $g) { created } }`, { g: ['u20', 'u21', 'u22'].map((u) => ({ userExternalId: u, entitlementExternalId: 'cond' })) });
    await quiescent(t);
    const entries = await appended(() =>
      ok(`mutation($p: ID!, $i: MembershipAutomationInput!) { setMembershipAutomation(profileId: $p, input: $i) { id } }`, {
        p: profileId,
        i: { enabled: true, mode: 'SYNC_MEMBERS_AND_ACCESS', conditionEntitlementIds: [ids.cond], excludedUserIds: [] },
      }),
    );
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual(['AUTOMATION_SAVED', 'SYNC_STARTED', 'TASKS_PROCESSED', 'SYNC_COMPLETED']);
    expect(entries[0]).toMatchObject({ before: { enabled: false, conditionEntitlementIds: [] }, after: { enabled: true, conditionEntitlementIds: [rawId(ids.cond!)], excludedUserIds: [] } });
    expect(entries[1]).toMatchObject({ actorKind: 'ADMIN_TOKEN', subjectType: 'SyncRun', after: { trigger: 'AUTOMATION_SAVED', profileId: rawId(profileId) } });
    // The sync's batch: 3 enrollments auto-approved and completed, each cascading one item task.
    expect(entries[2]).toMatchObject({ actorKind: 'SYSTEM', after: { tasksCreated: 6, tasksCompleted: 6, membersEnrolled: 3 } });
    expect(entries[3]).toMatchObject({ actorKind: 'SYSTEM', subjectId: entries[1]!.subjectId, after: { state: 'COMPLETED', enrollTasksCreated: 3 } });
    await refusedWithoutEntry(
      'BAD_USER_INPUT',
      `mutation($p: ID!, $i: MembershipAutomationInput!) { setMembershipAutomation(profileId: $p, input: $i) { id } }`,
      { p: profileId, i: { enabled: true, mode: 'SYNC_MEMBERS_AND_ACCESS', conditionEntitlementIds: [] } },
    );
  });

  it('a paused sync, its discard and its resume record who reviewed it', async () => {
    await ok(`mutation { updateSafeguardSettings(minMembers: 0, maxUnenrollRatio: 0) { minMembers } }`);
    const before = await headSeq(t);
    // The source system says nobody holds the condition any more: the sync that follows pauses.
    await ok(`mutation { upsertGrants(grants: [], replaceForEntitlements: ["cond"]) { removed } }`);
    await quiescent(t);
    const paused = (await entriesAfter(t, before)).filter((e) => e.action === 'SYNC_PAUSED');
    expect(paused).toHaveLength(1);
    expect(paused[0]).toMatchObject({ actorKind: 'SYSTEM', before: { state: 'RUNNING' }, after: { state: 'PAUSED', stagedUnenrollments: 3 } });

    const discarded = await appended(() => ok(`mutation($r: ID!) { discardSync(syncRunId: $r) { id } }`, { r: paused[0]!.subjectId }, tokens.admin3));
    expect(discarded).toHaveLength(1);
    expect(discarded[0]).toMatchObject({ action: 'SYNC_DISCARDED', actorKind: 'USER', actorUserId: ids.u3, before: { state: 'PAUSED' }, after: { state: 'DISCARDED' } });
    await refusedWithoutEntry('CONFLICT', `mutation($r: ID!) { discardSync(syncRunId: $r) { id } }`, { r: paused[0]!.subjectId });

    expect(codesOf(await t.request(`mutation($p: ID!) { syncNow(profileId: $p) { id } }`, { p: profileId }))).toEqual([]);
    await quiescent(t); // syncNow answers at once; the run pauses in the background
    const [again] = (await auditLog(t, { action: 'SYNC_PAUSED', first: 1 })).entries;
    expect(again!.subjectId).not.toBe(paused[0]!.subjectId);
    const resumed = await appended(() => ok(`mutation($r: ID!) { resumeSync(syncRunId: $r) { state } }`, { r: again!.subjectId }));
    expect(resumed.map((e) => e.action)).toEqual(['SYNC_RESUMED', 'TASKS_PROCESSED', 'SYNC_COMPLETED']);
    expect(resumed[0]).toMatchObject({ actorKind: 'ADMIN_TOKEN', before: { state: 'PAUSED' }, after: { state: 'RUNNING', stagedUnenrollments: 3 } });
    await ok(`mutation { updateSafeguardSettings(minMembers: 100, maxUnenrollRatio: 0.2) { minMembers } }`);
  });
});

describe('task decisions and provisioning', () => {
  const REQUEST = `mutation($e: ID!) { requestAccess(entitlementId: $e, reason: "work") { id state } }`;

  beforeAll(async () => {
    tokens.u0 = await tokenFor(t, ids.u0!, ['read', 'review', 'provision', 'request']);
    tokens.u1 = await tokenFor(t, ids.u1!, ['read', 'provision']);
    for (const u of ['u5', 'u6', 'u7', 'u8']) tokens[u] = await tokenFor(t, ids[u]!, ['read', 'request']);
  });

  it('a request, its approval (provisioned by the system at once) and a denial, each with the task state before and after', async () => {
    let taskId = '';
    const requested = await appended(async () => {
      taskId = (await ok(REQUEST, { e: ids.e3 }, tokens.u5)).requestAccess.id;
    });
    expect(requested).toHaveLength(1);
    expect(requested[0]).toMatchObject({ action: 'ACCESS_REQUESTED', actorUserId: ids.u5, subjectType: 'Task', subjectId: taskId, after: { state: 'PENDING_APPROVAL', reason: 'work' } });

    await refusedWithoutEntry('FORBIDDEN', `mutation($id: ID!) { approveTask(taskId: $id) { id } }`, { id: taskId }, tokens.u5);
    const approved = await appended(() => ok(`mutation($id: ID!) { approveTask(taskId: $id, comment: "fine") { id } }`, { id: taskId }, tokens.u0));
    expect(approved).toHaveLength(1);
    expect(approved[0]).toMatchObject({
      action: 'TASK_APPROVED',
      actorUserId: ids.u0,
      subjectId: taskId,
      before: { state: 'PENDING_APPROVAL', step: 0 },
      after: { state: 'DONE', comment: 'fine' },
    });
    await refusedWithoutEntry('CONFLICT', `mutation($id: ID!) { approveTask(taskId: $id) { id } }`, { id: taskId }, tokens.u0);

    const denied = (await ok(REQUEST, { e: ids.e3 }, tokens.u6)).requestAccess.id;
    const entries = await appended(() => ok(`mutation($id: ID!) { denyTask(taskId: $id, comment: "no") { id } }`, { id: denied }, tokens.u0));
    expect(entries[0]).toMatchObject({ action: 'TASK_DENIED', before: { state: 'PENDING_APPROVAL' }, after: { state: 'DENIED', comment: 'no' } });
  });

  it('manual provisioning completed and failed, and a cancellation', async () => {
    const first = (await ok(REQUEST, { e: ids.m1 }, tokens.u7)).requestAccess.id;
    const approved = await appended(() => ok(`mutation($id: ID!) { approveTask(taskId: $id) { id } }`, { id: first }, tokens.u0));
    expect(approved[0]!.after.state).toBe('PENDING_PROVISIONING');
    const completed = await appended(() => ok(`mutation($id: ID!) { completeProvisioning(taskId: $id) { id } }`, { id: first }, tokens.u1));
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ action: 'PROVISIONING_COMPLETED', actorUserId: ids.u1, before: { state: 'PENDING_PROVISIONING' }, after: { state: 'DONE' } });

    const second = (await ok(REQUEST, { e: ids.m1 }, tokens.u8)).requestAccess.id;
    await ok(`mutation($id: ID!) { approveTask(taskId: $id) { id } }`, { id: second }, tokens.u0);
    await refusedWithoutEntry('BAD_USER_INPUT', `mutation($id: ID!) { failProvisioning(taskId: $id, reason: " ") { id } }`, { id: second });
    const failed = await appended(() => ok(`mutation($id: ID!) { failProvisioning(taskId: $id, reason: "no seat left") { id } }`, { id: second }));
    expect(failed[0]).toMatchObject({ action: 'PROVISIONING_FAILED', actorKind: 'ADMIN_TOKEN', after: { state: 'FAILED', reason: 'no seat left' } });

    const third = (await ok(REQUEST, { e: ids.e5 }, tokens.u8)).requestAccess.id;
    const cancelled = await appended(() => ok(`mutation($id: ID!) { cancelTask(taskId: $id, reason: "changed my mind") { id } }`, { id: third }, tokens.u8));
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]).toMatchObject({ action: 'TASK_CANCELLED', actorUserId: ids.u8, before: { state: 'PENDING_APPROVAL' }, after: { state: 'CANCELLED' } });
  });

  it('a cascade of hundreds of tasks appends a bounded number of entries that sum it up', async () => {
    const items = [ids.e1, ids.e2, ids.e3, ids.e4, ids.e5];
    const profile = await createProfile(t, { name: 'Bulk', enrollmentPolicyId: ids.autoPolicy, bypassItemRequestPolicies: true }, items as string[]);
    await ok(`mutation($u: [UserInput!]!) { upsertUsers(users: $u) { created } }`, {
      u: Array.from({ length: 120 }, (_, i) => ({ externalId: `bulk${i}`, email: `bulk${i}@example.com`, displayName: `Bulk ${i}` })),
    });
    const userIds = (await graph<{ id: string }>(t, `MATCH (u:User) WHERE u.externalId STARTS WITH 'bulk' RETURN u.id AS id`)).map((r) => Buffer.from(`User:${r.id}`).toString('base64'));
    const entries = await appended(() => ok(`mutation($p: ID!, $u: [ID!]!) { enrollUsers(profileId: $p, userIds: $u) { id } }`, { p: profile.id, u: userIds }));
    expect(entries.map((e) => e.action)).toEqual(['MEMBERS_ENROLLED', 'TASKS_PROCESSED']);
    expect(entries[0]).toMatchObject({ actorKind: 'ADMIN_TOKEN', after: { enrollmentTasksCreated: 120 } });
    expect(entries[1]).toMatchObject({
      actorKind: 'SYSTEM',
      after: { causedBy: 'MEMBERS_ENROLLED', tasksCreated: 720, tasksCompleted: 720, membersEnrolled: 120, tasksCancelled: 0 },
    });
  });
});

describe('same transaction', () => {
  it('an entry recorded in a transaction that fails is not written, nor is the change', async () => {
    const before = await headSeq(t);
    await expect(
      t.app.services.db.write('test.audit', async (tx) => {
        await tx.run('settings/update-safeguard-settings', { minMembers: 7, maxUnenrollRatio: 0.7, now: new Date().toISOString() });
        recordAudit(tx, null, { action: 'SAFEGUARD_SETTINGS_UPDATED', subjectType: 'Settings', subjectId: 'global', after: { minMembers: 7 } });
        throw new Error('the change fails after recording its entry');
      }),
    ).rejects.toThrow('the change fails');
    expect(await headSeq(t)).toBe(before);
    expect((await ok(`{ safeguardSettings { minMembers } }`)).safeguardSettings.minMembers).toBe(100);
  });
});

describe('the auditors query', () => {
  it('pages newest first with cursors, and the total counts the whole filtered log', async () => {
    const all = await auditLog(t, { first: 500 });
    const seqs = all.entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(seqs[0]).toBe(all.totalCount);
    const collected: number[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await auditLog(t, { first: 7, after });
      expect(page.totalCount).toBe(all.totalCount);
      collected.push(...page.entries.map((e) => e.seq));
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(collected).toEqual(seqs);
    expect(codesOf(await t.request(`{ auditLog(first: 1, after: "bogus") { totalCount } }`))).toEqual(['BAD_USER_INPUT']);
  });

  it('filters by action, actor, actor kind, subject and time, combined', async () => {
    const approvals = await auditLog(t, { action: 'TASK_APPROVED' });
    expect(approvals.totalCount).toBe(3);
    expect(approvals.entries.every((e) => e.action === 'TASK_APPROVED')).toBe(true);

    const byU3 = await auditLog(t, { actorId: ids.u3 });
    expect(byU3.entries.map((e) => e.action).sort()).toEqual(['SAFEGUARD_SETTINGS_UPDATED', 'SYNC_DISCARDED']);
    const system = await auditLog(t, { actorKind: 'SYSTEM', first: 500 });
    expect(system.entries.length).toBeGreaterThan(0);
    expect(system.entries.every((e) => e.actorKind === 'SYSTEM' && e.actorUserId === null)).toBe(true);

    const [profileCreated] = (await auditLog(t, { action: 'PROFILE_CREATED', first: 500 })).entries.filter((e) => e.after.name === 'Engineering');
    const aboutProfile = await auditLog(t, { subjectId: profileCreated!.subjectId });
    expect(aboutProfile.entries.map((e) => e.action).reverse()).toEqual(['PROFILE_CREATED', 'PROFILE_UPDATED', 'PROFILE_ITEMS_ADDED', 'PROFILE_ITEMS_REMOVED', 'AUTOMATION_SAVED']);
    const profileUpdates = await auditLog(t, { subjectId: profileCreated!.subjectId, action: 'PROFILE_UPDATED' });
    expect(profileUpdates.totalCount).toBe(1);

    const [newest] = (await auditLog(t, { first: 1 })).entries;
    if (!newest) throw new Error('an empty log');
    expect((await auditLog(t, { from: newest.at })).entries.every((e) => e.at >= newest.at)).toBe(true);
    expect((await auditLog(t, { to: newest.at })).entries.every((e) => e.at < newest.at)).toBe(true);
    expect((await auditLog(t, { from: '2000-01-01T00:00:00Z', to: '2000-01-02T00:00:00Z' })).totalCount).toBe(0);
    expect(codesOf(await t.request(`{ auditLog(from: "yesterday") { totalCount } }`))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('verification of the hash chain', () => {
  const verify = async () => (await ok(VERIFY, {}, tokens.auditor)).verifyAuditLog;

  it('passes on the untouched log, checking every entry', async () => {
    const result = await verify();
    const total = (await auditLog(t, { first: 1 })).totalCount;
    expect(result).toEqual({ ok: true, checked: total, headSeq: total, firstBrokenSeq: null, problem: null });
    console.info(`audit entries verified: ${result.checked}`);
  });

  it('detects an edited entry, and one re-hashed to hide the edit', async () => {
    const [target] = (await auditLog(t, { action: 'ROLE_CHANGED', first: 1 })).entries;
    const original = await graph<{ after: string; hash: string }>(t, `MATCH (e:AuditEntry {seq: $seq}) RETURN e.after AS after, e.hash AS hash`, { seq: target!.seq });
    await graph(t, `MATCH (e:AuditEntry {seq: $seq}) SET e.after = '{"role":"USER"}'`, { seq: target!.seq });
    expect(await verify()).toMatchObject({ ok: false, firstBrokenSeq: target!.seq, problem: 'HASH_MISMATCH' });
    // Recomputing the edited entry's own hash breaks the link to the next one instead.
    const [stored] = await graph<{ e: AuditEntryRecord }>(t, `MATCH (e:AuditEntry {seq: $seq}) RETURN properties(e) AS e`, { seq: target!.seq });
    await graph(t, `MATCH (e:AuditEntry {seq: $seq}) SET e.hash = $hash`, { seq: target!.seq, hash: hashOf({ ...stored!.e, seq: Number(stored!.e.seq) }) });
    expect(await verify()).toMatchObject({ ok: false, firstBrokenSeq: target!.seq + 1, problem: 'CHAIN_BROKEN' });
    await graph(t, `MATCH (e:AuditEntry {seq: $seq}) SET e.after = $after, e.hash = $hash`, { seq: target!.seq, after: original[0]!.after, hash: original[0]!.hash });
    expect((await verify()).ok).toBe(true);
  });

  it('detects a deleted entry, in the middle or at the end', async () => {
    const head = (await verify()).headSeq;
    await graph(t, `MATCH (e:AuditEntry {seq: $seq}) DETACH DELETE e`, { seq: head });
    expect(await verify()).toMatchObject({ ok: false, firstBrokenSeq: head, problem: 'MISSING_ENTRY' });
    await graph(t, `MATCH (e:AuditEntry {seq: 5}) DETACH DELETE e`);
    expect(await verify()).toMatchObject({ ok: false, firstBrokenSeq: 5, problem: 'MISSING_ENTRY', checked: 4 });
  });
});

/**
 * Answers a person can read: a paused run's staged users with their names, emails, external ids
 * and the access the profile's unenrollment action would take from them (REVOKE_ALL,
 * REVOKE_UNJUSTIFIED, LEAVE_AS_IS), in one statement for many runs; the pause webhook naming the
 * profile, the share of members, the first users and a link to the run; CSV exports with names
 * beside the ids; and refusals that say what is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { quiescent, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/events-webhook.js';
import { seedGrant } from '../helpers/foundation-graph.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';
import { createProfile, grant, seedMembers, setAutomation, users } from '../helpers/sync-seed.js';

let t: TestApp;
let hook: WebhookReceiver;
const PUBLIC_URL = 'https://gov.example.org';
const e: Record<string, string> = {};
const u: Record<string, string> = {};
const profiles: Record<'all' | 'unjustified' | 'leave', { id: string; raw: string }> = {} as never;
const runs: Record<string, string> = {};

const STAGED = `id state staged {
  toUnenroll { externalId }
  unenrollments { externalId displayName email user { id } accessToLose { externalId } accessToLoseCount }
  enrollments { externalId } }`;

beforeAll(async () => {
  hook = await startWebhookReceiver();
  t = await startTestApp({ NOTIFY_WEBHOOK_URL: hook.url, PUBLIC_URL, NOTIFY_BASE_DELAY_MS: '50' });
  await resetGraph(t.app);
  const ITEMS = ['a1', 'b1', 'a2', 'b2', 'a3', 'b3'];
  await ingestOrg(t, 10, [{ externalId: 'idp', name: 'IdP', entitlements: ['cond', ...ITEMS] }]);
  for (const x of ['cond', ...ITEMS]) e[x] = await idOf(t, 'entitlement', x);
  for (const x of users(0, 10)) u[x] = await idOf(t, 'user', x);
  const auto = (await t.admin(`mutation { createPolicy(name: "auto", steps: []) { id } }`)).createPolicy.id;
  const addItems = (p: string, items: string[]) =>
    t.admin(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e, requestForMembers: false) { id } }`, { p, e: items });

  // u1 is also a member of Other, which includes b2: under REVOKE_UNJUSTIFIED u1 keeps b2.
  const other = await createProfile(t, 'Other');
  await addItems(other.id, [e.b2!]);
  await seedMembers(t, other.raw, ['u1'], 'MANUAL');

  // Each profile has items of its own (a1 b1, a2 b2, a3 b3), held by its members u0..u7 through it; u2's a2 is also direct.
  const actions = { all: ['Revoke all', 'REVOKE_ALL', '1'], unjustified: ['Revoke unjustified', 'REVOKE_UNJUSTIFIED', '2'], leave: ['Leave as is', 'LEAVE_AS_IS', '3'] } as const;
  for (const [key, [name, action, n]] of Object.entries(actions) as [keyof typeof actions, (typeof actions)[keyof typeof actions]][]) {
    const p = await createProfile(t, name, { enrollmentPolicyId: auto, unenrollmentPolicyId: auto, unenrollmentAction: action });
    profiles[key] = p;
    await addItems(p.id, [e[`a${n}`]!, e[`b${n}`]!]);
    await seedMembers(t, p.raw, users(0, 8), 'RULE');
    for (const x of users(0, 8)) {
      await seedGrant(t, u[x]!, e[`a${n}`]!, { profileIds: [p.id], direct: x === 'u2' });
      await seedGrant(t, u[x]!, e[`b${n}`]!, { profileIds: [p.id] });
    }
  }
  await grant(t, [['u0', 'cond']]);
  // Eight members, seven would go: 87.5%, above the 20% of a profile above 2 members.
  await t.admin(`mutation { updateSafeguardSettings(minMembers: 2, maxUnenrollRatio: 0.2) { minMembers } }`);
  for (const p of Object.values(profiles)) await setAutomation(t, p.id, { enabled: true, conditionEntitlementIds: [e.cond!] });
  await quiescent(t);
  for (const [key, p] of Object.entries(profiles)) {
    const data = await t.admin(`query($p: ID!) { node(id: $p) { ... on AccessProfile { pausedSync { id } } } }`, { p: p.id });
    runs[key] = data.node.pausedSync.id;
  }
}, 120_000);

afterAll(async () => {
  await t?.stop();
  await hook?.stop();
});

type Staged = { externalId: string; displayName: string; email: string; user: { id: string }; accessToLose: { externalId: string }[] | null; accessToLoseCount: number | null };
const losses = (list: Staged[]) => Object.fromEntries(list.map((s) => [s.externalId, s.accessToLose?.map((x) => x.externalId).sort() ?? null]));

describe("a paused run's staged users", () => {
  it('name each user and what the unenrollment action would take, for three runs in one statement', async () => {
    const db = t.app.services.db;
    const before = db.statementCounts.get('sync/unenrollment-losses-of-users') ?? 0;
    const data = await t.admin(`query($a: ID!, $b: ID!, $c: ID!) {
      a: node(id: $a) { ... on SyncRun { ${STAGED} } }
      b: node(id: $b) { ... on SyncRun { ${STAGED} } }
      c: node(id: $c) { ... on SyncRun { ${STAGED} } } }`, { a: runs.all, b: runs.unjustified, c: runs.leave });
    expect((db.statementCounts.get('sync/unenrollment-losses-of-users') ?? 0) - before).toBe(1);

    const all = data.a.staged.unenrollments as Staged[];
    // The existing field is unchanged, and the new list holds the same users in the same order.
    expect(all.map((s) => s.externalId)).toEqual(data.a.staged.toUnenroll.map((x: { externalId: string }) => x.externalId));
    expect(all.map((s) => s.externalId).sort()).toEqual(users(1, 8).sort());
    const u3 = all.find((s) => s.externalId === 'u3')!;
    expect(u3).toMatchObject({ displayName: 'User 3', email: 'u3@example.com', user: { id: u.u3 }, accessToLoseCount: 2 });
    expect(data.a.staged.enrollments).toEqual([]);

    // REVOKE_ALL: everything held through the profile, the direct grant included.
    expect(losses(all)).toEqual(Object.fromEntries(users(1, 8).map((x) => [x, ['a1', 'b1']])));
    // REVOKE_UNJUSTIFIED: not u2's direct a2, nor u1's b2 (Other includes it and u1 stays in Other).
    expect(losses(data.b.staged.unenrollments)).toEqual({ ...Object.fromEntries(users(1, 8).map((x) => [x, ['a2', 'b2']])), u1: ['a2'], u2: ['b2'] });
    expect(losses(data.c.staged.unenrollments)).toEqual(Object.fromEntries(users(1, 8).map((x) => [x, []])));
    expect((data.c.staged.unenrollments as Staged[]).every((s) => s.accessToLoseCount === 0)).toBe(true);
  });

  it('the preview answers the same; once the run is no longer paused, nothing is claimed about losses', async () => {
    const preview = await t.admin(`query($p: ID!) { node(id: $p) { ... on AccessProfile { previewSync { unenrollments { externalId accessToLose { externalId } } } } } }`, {
      p: profiles.unjustified.id,
    });
    expect(losses(preview.node.previewSync.unenrollments)).toMatchObject({ u1: ['a2'], u2: ['b2'], u3: ['a2', 'b2'] });

    const discarded = await t.admin(`mutation($r: ID!) { discardSync(syncRunId: $r) { ${STAGED} } }`, { r: runs.leave });
    expect(discarded.discardSync.state).toBe('DISCARDED');
    const kept = discarded.discardSync.staged.unenrollments as Staged[];
    expect(kept).toHaveLength(7);
    expect(kept.every((s) => s.accessToLose === null && s.accessToLoseCount === null && s.email.endsWith('@example.com'))).toBe(true);
  });

  it('are for admins and auditors only, like the run', async () => {
    const user = await tokenFor(t, u.u9!, ['read', 'request', 'review']);
    const body = await t.request<any>(`query($r: ID!) { node(id: $r) { ... on SyncRun { staged { unenrollments { email } } } } }`, { r: runs.all }, user);
    expect(body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(body.errors![0]!.message).toContain('admins and auditors only');
    expect(JSON.stringify(body)).not.toContain('@example.com');
  });
});

describe('the pause webhook', () => {
  it('states the share of members, the profile, the first users by name and email, and links to the run', async () => {
    await quiescent(t);
    const text = hook.received.map((m) => String(m.text)).find((x) => x.includes('"Revoke all"'))!;
    expect(text).toBeDefined();
    expect(text).toContain('7 staged removals');
    expect(text).toContain('7 of 8 members (87.5%)');
    expect(text).toMatch(/User \d \(u\d@example\.com\)/);
    expect(text.match(/\(u\d@example\.com\)/g)).toHaveLength(5);
    expect(text).toContain('and 2 more');
    expect(text).toContain(`${PUBLIC_URL}/graphql?query=`);
    expect(text).toContain(runs.all);
    const link = decodeURIComponent(/graphql\?query=(\S+)/.exec(text)![1]!);
    expect(link).toContain(`node(id: "${runs.all}")`);
    expect(link).toContain('unenrollments { displayName email externalId accessToLose');
  });
});

describe('CSV exports', () => {
  const get = (path: string) => fetch(t.url.replace('/graphql', path), { headers: { authorization: `Bearer ${ADMIN}` } });
  const ADMIN = 'test-admin-token-0123456789';
  const parse = async (response: Response) => (await response.text()).trim().split('\r\n').map((line) => line.split(','));

  it('keep their columns first, then the external ids, names and emails', async () => {
    const holders = await parse(await get(`/export/holders.csv?entitlementId=${encodeURIComponent(e.a1!)}`));
    expect(holders[0]).toEqual([
      'grantId', 'userId', 'grantedAt', 'direct', 'sourceProfileIds', 'justifyingProfileIds', 'unjustified',
      'userExternalId', 'userDisplayName', 'userEmail', 'sourceProfileNames', 'justifyingProfileNames',
    ]);
    const row = holders.find((r) => r[1] === u.u3)!;
    expect(row.slice(7, 10)).toEqual(['u3', 'User 3', 'u3@example.com']);
    expect(row[10]).toBe('Revoke all');

    const blast = await parse(await get(`/export/blast-radius.csv?change=DISABLE_PROFILE&profileId=${encodeURIComponent(profiles.all.id)}`));
    expect(blast[0]).toEqual(['kind', 'userId', 'entitlementId', 'profileId', 'userExternalId', 'userDisplayName', 'userEmail', 'entitlementExternalId', 'entitlementName', 'profileName']);
    const lost = blast.find((r) => r[4] === 'u4' && r[7] === 'b1');
    expect(lost).toBeDefined();
    expect(lost!.slice(1, 4)).toEqual([u.u4, e.b1, profiles.all.id]);
    expect(lost!.slice(4)).toEqual(['u4', 'User 4', 'u4@example.com', 'b1', 'b1', 'Revoke all']);
  });
});

describe('refusals and bad ids say what is the matter', () => {
  it('FORBIDDEN names the missing role or scope; the code is unchanged', async () => {
    const user = await tokenFor(t, u.u8!, ['read', 'request']);
    const adminRead = await tokenFor(t, u.u7!, ['read'], 'ADMIN');
    const auditor = await tokenFor(t, u.u6!, ['read', 'review'], 'AUDITOR');
    const syncNow = `mutation($p: ID!) { syncNow(profileId: $p) { id } }`;

    const byUser = await t.request(syncNow, { p: profiles.all.id }, user);
    expect(byUser.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(byUser.errors![0]!.message).toContain('admins only');
    const byAdminRead = await t.request(syncNow, { p: profiles.all.id }, adminRead);
    expect(byAdminRead.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(byAdminRead.errors![0]!.message).toContain('needs scope admin');
    const review = await t.request(`mutation { approveTask(taskId: "x") { id } }`, {}, user);
    expect(review.errors![0]!.message).toContain('needs scope review');
    const byAuditor = await t.request(`mutation { approveTask(taskId: "x") { id } }`, {}, auditor);
    expect(byAuditor.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(byAuditor.errors![0]!.message).toContain('not for auditors');
    const audit = await t.request(`{ auditLog { totalCount } }`, {}, user);
    expect(audit.errors![0]!.message).toContain('admins and auditors only');
  });

  it('ids in messages are global ids with English articles, never raw uuids', async () => {
    const wrongType = await t.request(`mutation($p: ID!) { syncNow(profileId: $p) { id } }`, { p: u.u1 });
    expect(wrongType.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(wrongType.errors![0]!.message).toBe('Expected an AccessProfile id, got a User id');

    const raw = randomUUID();
    const unknown = Buffer.from(`AccessProfile:${raw}`).toString('base64');
    const missing = await t.request(`query($p: ID!) { node(id: $p) { id } } `, { p: unknown });
    expect(missing.errors ?? []).toEqual([]);
    const missingSync = await t.request(`mutation($p: ID!) { syncNow(profileId: $p) { id } }`, { p: unknown });
    expect(missingSync.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    expect(missingSync.errors![0]!.message).toContain(unknown);
    expect(missingSync.errors![0]!.message).not.toContain(raw);
    const missingRun = await t.request(`mutation($r: ID!) { discardSync(syncRunId: $r) { id } }`, { r: Buffer.from(`SyncRun:${raw}`).toString('base64') });
    expect(missingRun.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    expect(missingRun.errors![0]!.message).not.toContain(raw);
  });
});

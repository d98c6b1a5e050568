/**
 * Members get their access (issue 11): a member lacking one of the profile's items with no open
 * task for it (enrolled under SYNC_MEMBERS_ONLY, an item task denied, the grant removed at the
 * source) is a drifted member with the items it lacks; `AccessProfile.missingAccess` previews and
 * `requestMissingAccess` asks for them, in one transaction, under the profile's item policies.
 * Switching the mode to SYNC_MEMBERS_AND_ACCESS asks for nothing by itself; the what-if says how
 * many members lack access.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, codesOf, quiescent, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';
import { createProfile, grant, seedMembers, setAutomation } from '../helpers/sync-seed.js';
import { grantsOf, sourcesOf, tasksOf } from '../helpers/workflow.js';

let t: TestApp;
const ids: Record<string, string> = {};
let reviewer: string;

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, 360, [
    { externalId: 'idp', name: 'IdP', entitlements: ['group-a', 'group-b'] },
    { externalId: 'crm', name: 'CRM', entitlements: ['crm-user', 'crm-reports', 'crm-admin'] },
  ]);
  for (const e of ['group-a', 'group-b', 'crm-user', 'crm-reports', 'crm-admin']) ids[e] = await idOf(t, 'entitlement', e);
  for (const u of ['u0', 'u1', 'u2', 'u3', 'u4', 'u5']) ids[u] = await idOf(t, 'user', u);
  ids.auto = (await t.admin(`mutation { createPolicy(name: "auto", steps: []) { id } }`)).createPolicy.id;
  reviewer = await tokenFor(t, ids.u0!, ['read', 'review']);
}, 120_000);
afterAll(async () => t?.stop());

const DRIFTED = `{ driftedMembers(first: 500) { totalCount edges { node { profile { id } user { externalId } kinds excluded missingItems { externalId } } } } }`;
/** The drifted rows of one profile: "user:kinds:missing items". */
async function driftedOf(profileId: string): Promise<string[]> {
  const data = await t.admin(DRIFTED);
  return data.driftedMembers.edges
    .map((e: any) => e.node)
    .filter((n: any) => n.profile.id === profileId)
    .map((n: any) => `${n.user.externalId}:${n.kinds.join('+')}:${n.missingItems.map((i: any) => i.externalId).sort().join(',')}`)
    .sort();
}

const PREVIEW = `query($id: ID!, $u: [ID!]) { node(id: $id) { ... on AccessProfile { missingAccess(userIds: $u) {
  memberCount missingCount items { externalId } members(first: 100) { totalCount edges { node { user { externalId } missingItems { externalId } } } } } } } }`;
async function previewOf(profileId: string, userIds: string[] | null = null) {
  const m = (await t.admin(PREVIEW, { id: profileId, u: userIds })).node.missingAccess;
  return {
    memberCount: m.memberCount,
    missingCount: m.missingCount,
    items: m.items.map((i: any) => i.externalId).sort(),
    members: m.members.edges.map((e: any) => `${e.node.user.externalId}:${e.node.missingItems.map((i: any) => i.externalId).sort().join(',')}`).sort(),
  };
}

const REQUEST = `mutation($p: ID!, $u: [ID!]) { requestMissingAccess(profileId: $p, userIds: $u) { id kind state origin user { externalId } entitlement { externalId } profile { id } } }`;
async function requestMissing(profileId: string, userIds: string[] | null = null): Promise<any[]> {
  const data = await t.admin(REQUEST, { p: profileId, u: userIds });
  await quiescent(t);
  return data.requestMissingAccess;
}
const summary = (tasks: any[]) => tasks.map((x) => `${x.user.externalId}:${x.entitlement.externalId}:${x.state}:${x.origin}`).sort();

describe('members lacking access', () => {
  it('a member enrolled under SYNC_MEMBERS_ONLY gets its items through requestMissingAccess after the mode switch, which alone asks for nothing', async () => {
    const profile = await createProfile(t, 'Members only first', { enrollmentPolicyId: ids.auto, bypassItemRequestPolicies: true });
    await t.admin(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: profile.id, e: [ids['crm-user'], ids['crm-reports']] });
    await grant(t, [['u1', 'group-a'], ['u2', 'group-a']]);
    await setAutomation(t, profile.id, { enabled: true, mode: 'SYNC_MEMBERS_ONLY', conditionEntitlementIds: [ids['group-a']!] });
    await quiescent(t);
    expect((await grantsOf(t, ids.u1!)).has(ids['crm-user']!)).toBe(false);

    // the report lists them, with what they lack
    expect(await driftedOf(profile.id)).toEqual(['u1:MISSING_ACCESS:crm-reports,crm-user', 'u2:MISSING_ACCESS:crm-reports,crm-user']);

    // the what-if of the switch: no task by itself, two members lacking access
    const whatIf = (
      await t.admin(`query($p: ID!) { whatIfMembershipAutomation(profileId: $p, proposal: { mode: SYNC_MEMBERS_AND_ACCESS }) { grantTaskCount toEnrollCount membersLackingAccess } }`, { p: profile.id })
    ).whatIfMembershipAutomation;
    expect(whatIf).toEqual({ grantTaskCount: 0, toEnrollCount: 0, membersLackingAccess: 2 });

    // the switch itself changes nothing
    await setAutomation(t, profile.id, { enabled: true, mode: 'SYNC_MEMBERS_AND_ACCESS', conditionEntitlementIds: [ids['group-a']!] });
    await quiescent(t);
    expect((await grantsOf(t, ids.u1!)).has(ids['crm-user']!)).toBe(false);
    expect(await previewOf(profile.id)).toEqual({
      memberCount: 2,
      missingCount: 4,
      items: ['crm-reports', 'crm-user'],
      members: ['u1:crm-reports,crm-user', 'u2:crm-reports,crm-user'],
    });
    expect(await previewOf(profile.id, [ids.u2!])).toMatchObject({ memberCount: 1, missingCount: 2, members: ['u2:crm-reports,crm-user'] });

    // requestMissingAccess asks for exactly that; the profile bypasses item policies, so they are done at once
    const created = await requestMissing(profile.id);
    expect(summary(created)).toEqual([
      'u1:crm-reports:DONE:PROFILE_MISSING_ACCESS',
      'u1:crm-user:DONE:PROFILE_MISSING_ACCESS',
      'u2:crm-reports:DONE:PROFILE_MISSING_ACCESS',
      'u2:crm-user:DONE:PROFILE_MISSING_ACCESS',
    ]);
    expect(created.every((x) => x.profile.id === profile.id)).toBe(true);
    expect(sourcesOf((await grantsOf(t, ids.u1!)).get(ids['crm-user']!))).toEqual([`PROFILE:${profile.id}`]);
    expect(await driftedOf(profile.id)).toEqual([]);
    expect((await previewOf(profile.id)).memberCount).toBe(0);
    // asking again creates nothing
    expect(await requestMissing(profile.id)).toEqual([]);

    // the grant removed at the source: the member drifts again and is asked for again
    await grant(t, [['u3', 'crm-user']], ['crm-user']);
    expect(await driftedOf(profile.id)).toEqual(['u1:MISSING_ACCESS:crm-user', 'u2:MISSING_ACCESS:crm-user']);
    expect(summary(await requestMissing(profile.id, [ids.u1!]))).toEqual(['u1:crm-user:DONE:PROFILE_MISSING_ACCESS']);
    expect(await driftedOf(profile.id)).toEqual(['u2:MISSING_ACCESS:crm-user']);

    const audit = await t.admin(`{ auditLog(action: "MISSING_ACCESS_REQUESTED", first: 10) { edges { node { subjectId after } } } }`);
    // two requests created tasks; asking again created nothing and recorded nothing (docs/audit.md)
    expect(audit.auditLog.edges.map((e: any) => JSON.parse(e.node.after).grantTasksCreated)).toEqual([1, 4]);
  });

  it('a denied item task can be asked again, under the item policy when the profile does not bypass it', async () => {
    const profile = await createProfile(t, 'Reviewed items', { enrollmentPolicyId: ids.auto });
    await t.admin(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: profile.id, e: [ids['crm-admin']] });
    await t.admin(`mutation($p: ID!, $u: [ID!]!) { enrollUsers(profileId: $p, userIds: $u) { id } }`, { p: profile.id, u: [ids.u4] });
    await quiescent(t);
    // the enrollment cascade asked for the item; the manager (u0) denies it
    const pending = (await tasksOf(t, ids.u4!, ['PENDING_APPROVAL'])).filter((x) => x.entitlement.id === ids['crm-admin']);
    expect(pending).toHaveLength(1);
    expect(await driftedOf(profile.id)).toEqual([]); // an open task covers it
    const denied = await t.request(`mutation($id: ID!) { denyTask(taskId: $id, comment: "not now") { state } }`, { id: pending[0].id }, reviewer);
    expect(denied.errors).toBeUndefined();
    await quiescent(t);
    expect(await driftedOf(profile.id)).toEqual(['u4:MISSING_ACCESS:crm-admin']);

    const again = await requestMissing(profile.id, [ids.u4!]);
    expect(summary(again)).toEqual(['u4:crm-admin:PENDING_APPROVAL:PROFILE_MISSING_ACCESS']);
    expect(again[0].id).not.toBe(pending[0].id);
    // the open task covers it: no longer drifted, and asking again returns the same open task
    expect(await driftedOf(profile.id)).toEqual([]);
    expect((await requestMissing(profile.id)).map((x) => x.id)).toEqual([again[0].id]);
  });

  it('lists a member who is both no longer matching and lacking an item in one row; existing fields unchanged', async () => {
    const profile = await createProfile(t, 'Both drifts', { enrollmentPolicyId: ids.auto, unenrollmentPolicyId: ids.auto, bypassItemRequestPolicies: true });
    await t.admin(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: profile.id, e: [ids['crm-reports']] });
    await seedMembers(t, profile.raw, ['u5'], 'RULE');
    // a condition u5 does not hold, automation off: u5 no longer matches and lacks the item
    await setAutomation(t, profile.id, { enabled: false, conditionEntitlementIds: [ids['group-b']!] });
    const data = await t.admin(DRIFTED);
    const row = data.driftedMembers.edges.map((e: any) => e.node).find((n: any) => n.profile.id === profile.id);
    expect(row).toEqual({ profile: { id: profile.id }, user: { externalId: 'u5' }, kinds: ['NO_LONGER_MATCHES', 'MISSING_ACCESS'], excluded: false, missingItems: [{ externalId: 'crm-reports' }] });

    // the CSV export: the existing columns first, in their order, then the new ones, then the readable ones
    const csv = await fetch(new URL('/export/drifted-members.csv', t.url), { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(csv.status).toBe(200);
    const [header, ...lines] = (await csv.text()).trim().split('\r\n');
    expect(header!.split(',').slice(0, 7)).toEqual(['profileId', 'userId', 'excluded', 'automationEnabled', 'pendingUnenrollmentTaskId', 'kinds', 'missingItemIds']);
    expect(header!.split(',')).toContain('missingItemNames');
    expect(lines.some((l) => l.includes('NO_LONGER_MATCHES;MISSING_ACCESS') && l.endsWith(',crm-reports'))).toBe(true);
  });
});

describe('bad input', () => {
  it('users who are not members are BAD_USER_INPUT naming them, and nothing is written', async () => {
    const profile = await createProfile(t, 'Strict', { enrollmentPolicyId: ids.auto, bypassItemRequestPolicies: true });
    await t.admin(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e, requestForMembers: false) { id } }`, { p: profile.id, e: [ids['crm-admin']] });
    await seedMembers(t, profile.raw, ['u1'], 'MANUAL');
    const before = await previewOf(profile.id);
    expect(before.memberCount).toBe(1);

    const body = await t.request(REQUEST, { p: profile.id, u: [ids.u1, ids.u3] });
    expect(codesOf(body)).toEqual(['BAD_USER_INPUT']);
    const message = body.errors![0]!.message;
    expect(message).toContain(ids.u3);
    expect(message).not.toContain(ids.u1);
    expect(message).not.toMatch(/MATCH|cypher|at .*\.ts/i);
    await quiescent(t);
    expect(await previewOf(profile.id)).toEqual(before);
    expect((await tasksOf(t, ids.u1!)).filter((x) => x.origin === 'PROFILE_MISSING_ACCESS' && x.profile?.id === profile.id)).toEqual([]);

    const ghost = Buffer.from('AccessProfile:00000000-0000-0000-0000-000000000000').toString('base64');
    expect(codesOf(await t.request(REQUEST, { p: ghost, u: null }))).toEqual(['NOT_FOUND']);
    expect(codesOf(await t.request(REQUEST, { p: profile.id, u: [ids['crm-user']] }))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('batching', () => {
  /** Statements and write transactions of the workflow and profiles while `work` ran (background syncs aside). */
  async function measured(work: () => Promise<unknown>) {
    const db = t.app.services.db;
    const before = new Map(db.statementCounts);
    const units: string[] = [];
    const write = db.write.bind(db);
    db.write = ((unit: string, fn: any) => {
      units.push(unit);
      return write(unit, fn);
    }) as typeof db.write;
    try {
      await work();
    } finally {
      db.write = write;
    }
    const byName: Record<string, number> = {};
    for (const [name, count] of db.statementCounts) {
      const delta = count - (before.get(name) ?? 0);
      // the sync, the event sequencer's passes, event delivery and the audit sealer's passes run beside the request, after its commit
      const background = name.startsWith('sync/') || name.startsWith('events/') || name.startsWith('audit/');
      if (delta > 0 && !background) byName[name] = delta;
    }
    return { units: units.filter((u) => !u.startsWith('sync.') && !u.startsWith('audit.') && !u.startsWith('events.')), total: Object.values(byName).reduce((a, b) => a + b, 0), byName };
  }

  it('asks for 300 members in one transaction with a bounded number of statements, like for 30', async () => {
    const sizes: Record<number, Awaited<ReturnType<typeof measured>>> = {};
    for (const size of [30, 300]) {
      const profile = await createProfile(t, `Batch ${size}`, { enrollmentPolicyId: ids.auto, bypassItemRequestPolicies: true });
      await t.admin(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e, requestForMembers: false) { id } }`, { p: profile.id, e: [ids['crm-reports'], ids['crm-admin']] });
      await seedMembers(t, profile.raw, Array.from({ length: size }, (_, i) => `u${(size === 30 ? 10 : 40) + i}`), 'RULE');
      await quiescent(t);
      let tasks: any[] = [];
      sizes[size] = await measured(async () => {
        tasks = (await t.admin(`mutation($p: ID!) { requestMissingAccess(profileId: $p) { id state } }`, { p: profile.id })).requestMissingAccess;
      });
      expect(tasks).toHaveLength(size * 2);
      expect(tasks.every((x) => x.state === 'DONE')).toBe(true);
      expect((await previewOf(profile.id)).memberCount).toBe(0);
    }
    const shown = JSON.stringify(sizes);
    for (const size of [30, 300]) expect(sizes[size]!.units, shown).toEqual(['profiles.requestMissingAccess']);
    for (const name of Object.keys(sizes[300]!.byName)) expect(Object.keys(sizes[30]!.byName), shown).toContain(name);
    expect(sizes[300]!.total, shown).toBeLessThanOrEqual(sizes[30]!.total + 4);
    expect(sizes[300]!.total, shown).toBeLessThanOrEqual(30);
  }, 120_000);
});

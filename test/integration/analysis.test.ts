import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, codesOf, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';
import { graphFingerprint, seedMemberships, seedOpenTasks, seedSourcedGrants } from '../helpers/analysis-graph.js';

/*
 * The graph built for these tests (P1 and P4 overlap fully, P1 and P2 share itemB):
 *   P1 items {A, B}, condition {cond1}, excludes u5 and u6, REVOKE_UNJUSTIFIED
 *      members: u1 RULE, u2 RULE, u3 RULE (holds no cond1), u5 RULE (excluded), u7 MANUAL (holds no cond1)
 *   P2 items {B, C}, REVOKE_ALL; member u2 MANUAL
 *   P3 no items, no members; P4 items {A, B}, no members
 *   u1 holds A directly as well as through P1; u4 holds C with no source (unjustified); u4 holds cond2;
 *   u8 holds cond1 with an open enrollment task for P1; u9 holds cond1 and is not a member.
 */
let t: TestApp;
const u: Record<string, string> = {};
const e: Record<string, string> = {};
const p: Record<string, string> = {};
let enrollmentOf: Record<string, string> = {};

async function createProfile(name: string, unenrollmentAction: string): Promise<string> {
  const data = await t.admin<{ createAccessProfile: { id: string; enrollmentEntitlement: { id: string } } }>(
    `mutation($i: AccessProfileInput!) { createAccessProfile(input: $i) { id enrollmentEntitlement { id } } }`,
    { i: { name, unenrollmentAction } },
  );
  enrollmentOf = { ...enrollmentOf, [data.createAccessProfile.id]: data.createAccessProfile.enrollmentEntitlement.id };
  return data.createAccessProfile.id;
}

const names = (edges: { node: { externalId: string } }[]) => edges.map((x) => x.node.externalId).sort();

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, 10, [{ externalId: 'app', name: 'App', entitlements: ['cond1', 'cond2', 'itemA', 'itemB', 'itemC'] }]);
  for (let i = 0; i < 10; i++) u[`u${i}`] = await idOf(t, 'user', `u${i}`);
  for (const x of ['cond1', 'cond2', 'itemA', 'itemB', 'itemC']) e[x] = await idOf(t, 'entitlement', x);
  await t.admin(`mutation($g: [GrantInput!]!) { upsertGrants(grants: $g) { created } }`, {
    g: [
      ['u1', 'cond1'], ['u2', 'cond1'], ['u5', 'cond1'], ['u8', 'cond1'], ['u9', 'cond1'], ['u4', 'cond2'], ['u1', 'itemA'],
    ].map(([user, ent]) => ({ userExternalId: user, entitlementExternalId: ent })),
  });
  p.P1 = await createProfile('P1', 'REVOKE_UNJUSTIFIED');
  p.P2 = await createProfile('P2', 'REVOKE_ALL');
  p.P3 = await createProfile('P3', 'REVOKE_UNJUSTIFIED');
  p.P4 = await createProfile('P4', 'REVOKE_UNJUSTIFIED');
  const items = async (profileId: string, ids: string[]) =>
    t.admin(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e, requestForMembers: false) { id } }`, { p: profileId, e: ids });
  await items(p.P1!, [e.itemA!, e.itemB!]);
  await items(p.P2!, [e.itemB!, e.itemC!]);
  await items(p.P4!, [e.itemA!, e.itemB!]);
  // Saved disabled, so no sync acts on the graph while the tests read it.
  await t.admin(`mutation($p: ID!, $i: MembershipAutomationInput!) { setMembershipAutomation(profileId: $p, input: $i) { id } }`, {
    p: p.P1,
    i: { enabled: false, mode: 'SYNC_MEMBERS_AND_ACCESS', conditionEntitlementIds: [e.cond1], excludedUserIds: [u.u5, u.u6], pauseOnAnomalies: true },
  });
  await seedMemberships(t, [
    { profileId: p.P1!, userId: u.u1!, via: 'RULE' },
    { profileId: p.P1!, userId: u.u2!, via: 'RULE' },
    { profileId: p.P1!, userId: u.u3!, via: 'RULE' },
    { profileId: p.P1!, userId: u.u5!, via: 'RULE' },
    { profileId: p.P1!, userId: u.u7!, via: 'MANUAL' },
    { profileId: p.P2!, userId: u.u2!, via: 'MANUAL' },
  ]);
  await seedSourcedGrants(t, [
    ...['u1', 'u2', 'u3', 'u5', 'u7'].flatMap((user) => [
      { userId: u[user]!, entitlementId: e.itemA!, profileIds: [p.P1!] },
      { userId: u[user]!, entitlementId: e.itemB!, profileIds: user === 'u2' ? [p.P1!, p.P2!] : [p.P1!] },
    ]),
    { userId: u.u2!, entitlementId: e.itemC!, profileIds: [p.P2!] },
    { userId: u.u4!, entitlementId: e.itemC!, profileIds: [] },
  ]);
  await seedOpenTasks(t, [{ kind: 'GRANT', userId: u.u8!, entitlementId: enrollmentOf[p.P1!]!, origin: 'SYNC', profileId: p.P1! }]);
});
afterAll(async () => t?.stop());

const WHY = `query($u: ID!, $e: ID!) { whyAccess(userId: $u, entitlementId: $e) {
  held direct unjustified grant { id } grantedBy { id }
  paths { profile { name } recordedSource includesEntitlement member enrolledVia enrollmentTask { id origin } matchedCondition { externalId } excluded justifies } } }`;

describe('why a user holds an entitlement', () => {
  it('shows a direct grant beside the profile path that also grants it, with the rule and the enrolling task', async () => {
    const { whyAccess } = await t.admin(WHY, { u: u.u1, e: e.itemA });
    expect(whyAccess.held).toBe(true);
    expect(whyAccess.direct).toBe(true);
    expect(whyAccess.unjustified).toBe(false);
    const byName = Object.fromEntries(whyAccess.paths.map((x: { profile: { name: string } }) => [x.profile.name, x]));
    expect(Object.keys(byName).sort()).toEqual(['P1', 'P4']);
    expect(byName.P1).toMatchObject({ recordedSource: true, member: true, enrolledVia: 'RULE', justifies: true, matchedCondition: [{ externalId: 'cond1' }] });
    expect(byName.P1.enrollmentTask.origin).toBe('SYNC');
    expect(byName.P4).toMatchObject({ recordedSource: false, includesEntitlement: true, member: false, justifies: false });
  });

  it('shows two overlapping profiles, one of them a manual membership', async () => {
    const { whyAccess } = await t.admin(WHY, { u: u.u2, e: e.itemB });
    const justifying = whyAccess.paths.filter((x: { justifies: boolean }) => x.justifies).map((x: { profile: { name: string }; enrolledVia: string }) => `${x.profile.name}:${x.enrolledVia}`);
    expect(justifying.sort()).toEqual(['P1:RULE', 'P2:MANUAL']);
    expect(whyAccess.direct).toBe(false);
    expect(whyAccess.grantedBy).not.toBeNull();
  });

  it('flags a grant held with no remaining source as unjustified', async () => {
    const { whyAccess } = await t.admin(WHY, { u: u.u4, e: e.itemC });
    expect(whyAccess).toMatchObject({ held: true, direct: false, unjustified: true });
    expect(whyAccess.paths.every((x: { member: boolean }) => !x.member)).toBe(true);
  });

  it('answers for an entitlement not held, and refuses a wrong id', async () => {
    const { whyAccess } = await t.admin(WHY, { u: u.u0, e: e.itemA });
    expect(whyAccess).toMatchObject({ held: false, grant: null, unjustified: false });
    const bad = await t.request(WHY, { u: e.itemA, e: e.itemA });
    expect(codesOf(bad)).toEqual(['BAD_USER_INPUT']);
  });
});

const WHO = `query($e: ID!, $first: Int, $after: String, $s: GrantSourceType, $p: ID) {
  entitlementHolders(entitlementId: $e, first: $first, after: $after, sourceType: $s, profileId: $p) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { user { externalId } direct sourceProfiles { name } justifiedBy { name } unjustified } } } }`;

describe('who holds an entitlement', () => {
  it('pages through every holder with their sources', async () => {
    const first = await t.admin(WHO, { e: e.itemB, first: 3 });
    expect(first.entitlementHolders.totalCount).toBe(5);
    expect(first.entitlementHolders.pageInfo.hasNextPage).toBe(true);
    const rest = await t.admin(WHO, { e: e.itemB, first: 3, after: first.entitlementHolders.pageInfo.endCursor });
    expect(rest.entitlementHolders.pageInfo.hasNextPage).toBe(false);
    const all = [...first.entitlementHolders.edges, ...rest.entitlementHolders.edges].map((x: { node: { user: { externalId: string } } }) => x.node.user.externalId);
    expect(all.sort()).toEqual(['u1', 'u2', 'u3', 'u5', 'u7']);
    const u2 = [...first.entitlementHolders.edges, ...rest.entitlementHolders.edges].find((x: { node: { user: { externalId: string } } }) => x.node.user.externalId === 'u2');
    expect(u2.node.sourceProfiles.map((x: { name: string }) => x.name).sort()).toEqual(['P1', 'P2']);
  });

  it('filters by source type and by profile', async () => {
    const direct = await t.admin(WHO, { e: e.itemA, s: 'DIRECT' });
    expect(direct.entitlementHolders.edges.map((x: { node: { user: { externalId: string } } }) => x.node.user.externalId)).toEqual(['u1']);
    expect(direct.entitlementHolders.totalCount).toBe(1);
    const viaP2 = await t.admin(WHO, { e: e.itemB, p: p.P2 });
    expect(viaP2.entitlementHolders.edges.map((x: { node: { user: { externalId: string } } }) => x.node.user.externalId)).toEqual(['u2']);
    const unsourced = await t.admin(WHO, { e: e.itemC, s: 'PROFILE' });
    expect(unsourced.entitlementHolders.edges.map((x: { node: { user: { externalId: string } } }) => x.node.user.externalId)).toEqual(['u2']);
  });

  it('is for admins and auditors only', async () => {
    const userToken = await tokenFor(t, u.u9!, ['read']);
    expect(codesOf(await t.request(WHO, { e: e.itemA }, userToken))).toEqual(['FORBIDDEN']);
    const auditorToken = await tokenFor(t, u.u0!, ['read'], 'AUDITOR');
    expect((await t.request(WHO, { e: e.itemA }, auditorToken)).errors).toBeUndefined();
  });
});

const WHAT_IF = `query($p: ID!, $x: AutomationProposalInput) { whatIfMembershipAutomation(profileId: $p, proposal: $x) {
  memberCount toEnrollCount toUnenrollCount wouldPause safeguard { reason }
  toEnroll(first: 50) { edges { node { externalId } } } toUnenroll(first: 50) { edges { node { externalId } } }
  grantTaskCount revokeTaskCount keptGrantCount cancelledEnrollments
  grantTasks(first: 100) { totalCount edges { node { kind origin user { externalId } entitlement { externalId } } } }
  revokeTasks(first: 100) { totalCount edges { node { kind origin user { externalId } entitlement { externalId } } } } } }`;

type TaskEdge = { node: { origin: string; user: { externalId: string }; entitlement: { externalId: string } } };
const tasks = (edges: TaskEdge[]) => edges.map((x) => `${x.node.origin}:${x.node.user.externalId}:${x.node.entitlement.externalId}`).sort();

describe('what-if on a proposed automation', () => {
  it('reproduces the sync on the saved automation: pending, excluded and manual members handled, REVOKE_UNJUSTIFIED applied', async () => {
    const before = await graphFingerprint(t);
    const { whatIfMembershipAutomation: w } = await t.admin(WHAT_IF, { p: p.P1 });
    expect(w.memberCount).toBe(5);
    expect(names(w.toEnroll.edges)).toEqual(['u9']); // u8 pending, u5 and u6 excluded
    expect(names(w.toUnenroll.edges)).toEqual(['u3', 'u5']); // u7 is a manual member
    expect(tasks(w.grantTasks.edges)).toEqual(['PROFILE_ENROLLMENT:u9:itemA', 'PROFILE_ENROLLMENT:u9:itemB']);
    expect(tasks(w.revokeTasks.edges)).toEqual(['PROFILE_UNENROLLMENT:u3:itemA', 'PROFILE_UNENROLLMENT:u3:itemB', 'PROFILE_UNENROLLMENT:u5:itemA', 'PROFILE_UNENROLLMENT:u5:itemB']);
    expect(w.wouldPause).toBe(false);
    expect(await graphFingerprint(t)).toEqual(before);
  });

  it('applies a proposed condition, exclusion list and item list without saving them', async () => {
    const before = await graphFingerprint(t);
    const { whatIfMembershipAutomation: w } = await t.admin(WHAT_IF, {
      p: p.P1,
      x: { conditionEntitlementIds: [e.cond1, e.cond2], excludedUserIds: [], itemEntitlementIds: [e.itemA, e.itemC] },
    });
    expect(names(w.toEnroll.edges)).toEqual(['u4', 'u9']);
    expect(names(w.toUnenroll.edges)).toEqual(['u3']);
    // Items added reach the members who stay and lack them; u4 already holds itemC.
    expect(tasks(w.grantTasks.edges)).toEqual([
      'PROFILE_ENROLLMENT:u4:itemA',
      'PROFILE_ENROLLMENT:u9:itemA',
      'PROFILE_ENROLLMENT:u9:itemC',
      'PROFILE_ITEM_ADDED:u1:itemC',
      'PROFILE_ITEM_ADDED:u5:itemC',
      'PROFILE_ITEM_ADDED:u7:itemC',
    ]);
    // itemB removed: u2 keeps it through P2, the others lose it; u3 leaves and loses both.
    expect(tasks(w.revokeTasks.edges)).toEqual([
      'PROFILE_ITEM_REMOVED:u1:itemB',
      'PROFILE_ITEM_REMOVED:u5:itemB',
      'PROFILE_ITEM_REMOVED:u7:itemB',
      'PROFILE_UNENROLLMENT:u3:itemA',
      'PROFILE_UNENROLLMENT:u3:itemB',
    ]);
    expect(w.keptGrantCount).toBe(1);
    const saved = await t.admin(`query($p: ID!) { node(id: $p) { ... on AccessProfile { items { externalId } automation { condition { externalId } excludedUsers { externalId } } } } }`, { p: p.P1 });
    expect(saved.node.items.map((x: { externalId: string }) => x.externalId).sort()).toEqual(['itemA', 'itemB']);
    expect(saved.node.automation.condition.map((x: { externalId: string }) => x.externalId)).toEqual(['cond1']);
    expect(await graphFingerprint(t)).toEqual(before);
  });

  it('says the safeguard would pause it, unless the profile turns the check off; LEAVE_AS_IS and members-only revoke nothing', async () => {
    await t.admin(`mutation { updateSafeguardSettings(minMembers: 2, maxUnenrollRatio: 0.2) { minMembers } }`);
    try {
      const paused = await t.admin(WHAT_IF, { p: p.P1 });
      expect(paused.whatIfMembershipAutomation.wouldPause).toBe(true);
      expect(paused.whatIfMembershipAutomation.safeguard.reason).toContain('2 of 5');
      const off = await t.admin(WHAT_IF, { p: p.P1, x: { pauseOnAnomalies: false } });
      expect(off.whatIfMembershipAutomation.wouldPause).toBe(false);
    } finally {
      await t.admin(`mutation { updateSafeguardSettings(minMembers: 100, maxUnenrollRatio: 0.2) { minMembers } }`);
    }
    const leave = await t.admin(WHAT_IF, { p: p.P1, x: { unenrollmentAction: 'LEAVE_AS_IS' } });
    expect(leave.whatIfMembershipAutomation.revokeTaskCount).toBe(0);
    expect(leave.whatIfMembershipAutomation.keptGrantCount).toBe(4);
    const membersOnly = await t.admin(WHAT_IF, { p: p.P1, x: { mode: 'SYNC_MEMBERS_ONLY' } });
    expect(membersOnly.whatIfMembershipAutomation).toMatchObject({ grantTaskCount: 0, revokeTaskCount: 0, toEnrollCount: 1, toUnenrollCount: 2 });
  });

  it('refuses unknown ids and changes nothing', async () => {
    const body = await t.request(WHAT_IF, { p: p.P1, x: { conditionEntitlementIds: [Buffer.from('Entitlement:nope').toString('base64')] } });
    expect(codesOf(body)).toEqual(['BAD_USER_INPUT']);
  });
});

const BLAST = `query($c: BlastRadiusChange!, $p: ID!, $e: ID) { blastRadius(change: $c, profileId: $p, entitlementId: $e) {
  membershipLossCount accessLossCount keptGrantCount affectedUserCount
  losses(first: 100) { totalCount edges { node { kind user { externalId } entitlement { externalId } } } } } }`;
type LossEdge = { node: { kind: string; user: { externalId: string }; entitlement: { externalId: string } } };
const losses = (edges: LossEdge[]) => edges.map((x) => `${x.node.kind}:${x.node.user.externalId}:${x.node.entitlement.externalId}`).sort();

describe('blast radius', () => {
  it('of removing an item: members lose it unless they hold it directly', async () => {
    const before = await graphFingerprint(t);
    const { blastRadius: b } = await t.admin(BLAST, { c: 'REMOVE_ITEM', p: p.P1, e: e.itemA });
    expect(losses(b.losses.edges)).toEqual(['ACCESS:u2:itemA', 'ACCESS:u3:itemA', 'ACCESS:u5:itemA', 'ACCESS:u7:itemA']);
    expect(b).toMatchObject({ membershipLossCount: 0, accessLossCount: 4, keptGrantCount: 1, affectedUserCount: 4 });
    expect(await graphFingerprint(t)).toEqual(before);
  });

  it('of removing a condition entitlement: the rule members it held lose membership and what only this profile gave them', async () => {
    const before = await graphFingerprint(t);
    const { blastRadius: b } = await t.admin(BLAST, { c: 'REMOVE_CONDITION', p: p.P1, e: e.cond1 });
    // u3 and u5 are already due to leave; u7 is manual; u2 keeps itemB through P2, u1 keeps itemA (direct).
    // Membership losses are of P1's enrollment entitlement, which has no external id.
    expect(losses(b.losses.edges)).toEqual(['ACCESS:u1:itemB', 'ACCESS:u2:itemA', 'MEMBERSHIP:u1:null', 'MEMBERSHIP:u2:null']);
    expect(b).toMatchObject({ membershipLossCount: 2, accessLossCount: 2, keptGrantCount: 2, affectedUserCount: 2 });
    expect(await graphFingerprint(t)).toEqual(before);
  });

  it('of disabling a profile: every member unenrolled under REVOKE_ALL', async () => {
    const before = await graphFingerprint(t);
    const { blastRadius: b } = await t.admin(BLAST, { c: 'DISABLE_PROFILE', p: p.P2 });
    expect(b).toMatchObject({ membershipLossCount: 1, accessLossCount: 2, keptGrantCount: 0, affectedUserCount: 1 });
    expect(losses(b.losses.edges).filter((x) => x.startsWith('ACCESS'))).toEqual(['ACCESS:u2:itemB', 'ACCESS:u2:itemC']);
    expect(await graphFingerprint(t)).toEqual(before);
  });

  it('refuses an entitlement the profile does not include', async () => {
    expect(codesOf(await t.request(BLAST, { c: 'REMOVE_ITEM', p: p.P1, e: e.itemC }))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('hygiene reports', () => {
  it('lists unjustified grants, drifted members, redundant exclusions, empty profiles and overlapping profiles', async () => {
    const data = await t.admin(`{
      unjustifiedGrants(first: 10) { totalCount edges { node { user { externalId } entitlement { externalId } } } }
      driftedMembers(first: 10) { totalCount edges { node { profile { name } user { externalId } excluded } } }
      redundantExclusions(first: 10) { totalCount edges { node { profile { name } user { externalId } member } } }
      emptyProfiles(first: 10) { totalCount edges { node { profile { name } itemCount } } }
      overlappingProfiles(first: 10) { totalCount edges { node { profile { name } otherProfile { name } sharedItemCount similarity } } } }`);
    expect(data.unjustifiedGrants.edges.map((x: any) => `${x.node.user.externalId}:${x.node.entitlement.externalId}`)).toEqual(['u4:itemC']);
    expect(data.unjustifiedGrants.totalCount).toBe(1);
    // The count runs only when asked for, also when asked through a fragment.
    const viaFragment = await t.admin(`{ unjustifiedGrants(first: 1) { ...Total } } fragment Total on UnjustifiedGrantConnection { totalCount }`);
    expect(viaFragment.unjustifiedGrants.totalCount).toBe(1);
    expect(data.driftedMembers.edges.map((x: any) => `${x.node.user.externalId}:${x.node.excluded}`).sort()).toEqual(['u3:false', 'u5:true']);
    expect(data.redundantExclusions.edges.map((x: any) => `${x.node.user.externalId}:${x.node.member}`)).toEqual(['u6:false']);
    expect(data.emptyProfiles.edges.map((x: any) => x.node.profile.name).sort()).toEqual(['P3', 'P4']);
    const top = data.overlappingProfiles.edges[0].node;
    expect([top.profile.name, top.otherProfile.name].sort()).toEqual(['P1', 'P4']);
    expect(top.similarity).toBe(1);
    expect(data.overlappingProfiles.totalCount).toBe(3);
  });

  it('pages a report with its cursor', async () => {
    const first = await t.admin(`{ driftedMembers(first: 1) { pageInfo { hasNextPage endCursor } edges { node { user { externalId } } } } }`);
    expect(first.driftedMembers.pageInfo.hasNextPage).toBe(true);
    const next = await t.admin(`query($a: String) { driftedMembers(first: 1, after: $a) { pageInfo { hasNextPage } edges { node { user { externalId } } } } }`, {
      a: first.driftedMembers.pageInfo.endCursor,
    });
    expect(next.driftedMembers.pageInfo.hasNextPage).toBe(false);
    expect([first.driftedMembers.edges[0].node.user.externalId, next.driftedMembers.edges[0].node.user.externalId].sort()).toEqual(['u3', 'u5']);
  });
});

describe('CSV export', () => {
  const get = (path: string, token: string | null = ADMIN_TOKEN) =>
    fetch(t.url.replace('/graphql', path), { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('streams a report as CSV to admins and auditors', async () => {
    const response = await get(`/export/holders.csv?entitlementId=${encodeURIComponent(e.itemB!)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const lines = (await response.text()).trim().split('\r\n');
    // The first columns as first published; the readable columns follow.
    expect(lines[0]).toBe('grantId,userId,grantedAt,direct,sourceProfileIds,justifyingProfileIds,unjustified,userExternalId,userDisplayName,userEmail,sourceProfileNames,justifyingProfileNames');
    expect(lines).toHaveLength(6);
    const auditor = await tokenFor(t, u.u0!, ['read'], 'AUDITOR');
    const what = await get(`/export/what-if.csv?profileId=${encodeURIComponent(p.P1!)}`, auditor);
    expect(what.status).toBe(200);
    expect((await what.text()).split('\r\n').filter((l) => l.startsWith('ENROLL,'))).toHaveLength(1);
    for (const report of ['unjustified-grants', 'drifted-members', 'redundant-exclusions', 'empty-profiles', 'overlapping-profiles']) {
      expect((await get(`/export/${report}.csv`, auditor)).status).toBe(200);
    }
  });

  it('refuses others, and bad input', async () => {
    expect((await get('/export/unjustified-grants.csv', null)).status).toBe(401);
    const userToken = await tokenFor(t, u.u9!, ['read']);
    expect((await get('/export/unjustified-grants.csv', userToken)).status).toBe(403);
    expect((await get('/export/nothing.csv')).status).toBe(404);
    const bad = await get('/export/holders.csv?entitlementId=x');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).not.toContain('MATCH');
  });
});

/**
 * The directory's reads through the real server on Neo4j: node/nodes, every connection paged to
 * its end, search, viewer, lookups by external id, profiles, policies, grant sources and settings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';
import { codeOf, cypherOne, expectNoInternals, graphCounts, pageThrough, rawOf, seedGrant } from '../helpers/foundation-graph.js';

let t: TestApp;
const ids: Record<string, string> = {};
const profileIds: string[] = [];
let policyId: string;

const USERS = 25;
const APP_A_ENTITLEMENTS = Array.from({ length: 12 }, (_, i) => `a-${String(i).padStart(2, '0')}`);

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, USERS, [
    { externalId: 'app-a', name: 'Code host', owners: ['u1', 'u2'], entitlements: APP_A_ENTITLEMENTS },
    { externalId: 'app-b', name: 'Cloud', provisioning: 'MANUAL', entitlements: ['b-admin', 'b-viewer'] },
    { externalId: 'app-c', name: 'Chat', entitlements: [] },
  ]);
  // u1 holds every entitlement of app-a (12 grants); 23 users hold b-viewer.
  await t.admin(`mutation($g: [GrantInput!]!) { upsertGrants(grants: $g) { created } }`, {
    g: [
      ...APP_A_ENTITLEMENTS.map((e) => ({ userExternalId: 'u1', entitlementExternalId: e })),
      ...Array.from({ length: 23 }, (_, i) => ({ userExternalId: `u${i + 2}`, entitlementExternalId: 'b-viewer' })),
    ],
  });
  for (const u of ['u0', 'u1', 'u2', 'u3']) ids[u] = await idOf(t, 'user', u);
  for (const e of ['a-00', 'a-01', 'b-admin', 'b-viewer']) ids[e] = await idOf(t, 'entitlement', e);
  ids['app-a'] = await idOf(t, 'app', 'app-a');
  policyId = (await t.admin(`mutation($u: ID!) { createPolicy(name: "Two steps", steps: [{ approverType: MANAGER }, { approverType: USERS, userIds: [$u] }]) { id } }`, { u: ids.u0 }))
    .createPolicy.id;
  for (let i = 0; i < 7; i++) {
    const data = await t.admin(`mutation($n: String!) { createAccessProfile(input: { name: $n }) { id } }`, { n: `Profile ${i}` });
    profileIds.push(data.createAccessProfile.id);
  }
  // 11 members of profile 0 (users u4..u14), enrolled as a completed enrollment task would leave them.
  const enrollment = (await t.admin(`query($id: ID!) { node(id: $id) { ... on AccessProfile { enrollmentEntitlement { id } } } }`, { id: profileIds[0] })).node
    .enrollmentEntitlement.id;
  for (let i = 4; i < 15; i++) await seedGrant(t, await idOf(t, 'user', `u${i}`), enrollment, { enrolledVia: 'MANUAL' });
});
afterAll(async () => t?.stop());

describe('node and nodes', () => {
  it('fetch every directory type by its global id', async () => {
    const grantId = (await t.admin(`query($id: ID!) { node(id: $id) { ... on User { grants(first: 1) { edges { node { id } } } } } }`, { id: ids.u1 })).node.grants
      .edges[0].node.id;
    const expected: [string, string][] = [
      [ids.u0!, 'User'],
      [ids['app-a']!, 'App'],
      [ids['a-00']!, 'Entitlement'],
      [grantId, 'Grant'],
      [policyId, 'Policy'],
      [profileIds[0]!, 'AccessProfile'],
    ];
    for (const [id, type] of expected) {
      const data = await t.admin(`query($id: ID!) { node(id: $id) { __typename id } }`, { id });
      expect(data.node).toEqual({ __typename: type, id });
    }
    const many = await t.admin(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, { ids: expected.map(([id]) => id) });
    expect(many.nodes).toEqual(expected.map(([id, type]) => ({ __typename: type, id })));
  });

  it('answer null for a well-formed id of something that does not exist, keeping positions in nodes', async () => {
    const ghost = Buffer.from('User:00000000-0000-0000-0000-000000000000').toString('base64');
    const data = await t.admin(`query($id: ID!, $ids: [ID!]!) { node(id: $id) { id } nodes(ids: $ids) { id } }`, { id: ghost, ids: [ids.u0, ghost, ids.u1] });
    expect(data.node).toBeNull();
    expect(data.nodes).toEqual([{ id: ids.u0 }, null, { id: ids.u1 }]);
  });

  it('refuse a garbage id or an id of an unknown type with BAD_USER_INPUT', async () => {
    for (const id of ['garbage', '', Buffer.from('Nonsense:1').toString('base64'), Buffer.from('no-colon').toString('base64')]) {
      const body = await t.request(`query($id: ID!) { node(id: $id) { id } }`, { id });
      expect(codeOf(body), `id ${JSON.stringify(id)}`).toBe('BAD_USER_INPUT');
      expectNoInternals(body);
    }
  });

  it('refuse an id of the wrong type where a type is expected', async () => {
    const body = await t.request(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: ids.u0, e: [ids['a-00']] });
    expect(codeOf(body)).toBe('BAD_USER_INPUT');
  });
});

describe('connections, paged to their end', () => {
  const USERS_PAGE = `query($after: String) { users(first: 4, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id externalId } } } }`;

  it('users', async () => {
    const { nodes, pages } = await pageThrough<{ externalId: string }>(4, async (after) => (await t.admin(USERS_PAGE, { after })).users);
    expect(nodes).toHaveLength(USERS);
    expect(new Set(nodes.map((n) => n.externalId)).size).toBe(USERS);
    expect(pages).toBe(7);
  });

  it('apps', async () => {
    const { nodes } = await pageThrough<{ externalId: string }>(2, async (after) =>
      (await t.admin(`query($after: String) { apps(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { externalId } } } }`, { after })).apps,
    );
    expect(nodes.map((n) => n.externalId).sort()).toEqual(['app-a', 'app-b', 'app-c']);
  });

  it('entitlements, including the profiles\' own', async () => {
    const { nodes } = await pageThrough<{ kind: string }>(5, async (after) =>
      (await t.admin(`query($after: String) { entitlements(first: 5, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { kind } } } }`, { after }))
        .entitlements,
    );
    expect(nodes.filter((n) => n.kind === 'STANDARD')).toHaveLength(14);
    expect(nodes.filter((n) => n.kind === 'PROFILE_ENROLLMENT')).toHaveLength(7);
    expect(nodes.filter((n) => n.kind === 'PROFILE_EXCLUSION')).toHaveLength(7);
  });

  it('accessProfiles', async () => {
    const { nodes } = await pageThrough<{ id: string }>(3, async (after) =>
      (await t.admin(`query($after: String) { accessProfiles(first: 3, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`, { after }))
        .accessProfiles,
    );
    expect(nodes.map((n) => n.id).sort()).toEqual([...profileIds].sort());
  });

  it('User.grants', async () => {
    const { nodes } = await pageThrough<{ entitlement: { externalId: string } }>(5, async (after) =>
      (
        await t.admin(
          `query($id: ID!, $after: String) { node(id: $id) { ... on User { grants(first: 5, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { entitlement { externalId } } } } } } }`,
          { id: ids.u1, after },
        )
      ).node.grants,
    );
    expect(nodes.map((n) => n.entitlement.externalId).sort()).toEqual(APP_A_ENTITLEMENTS);
  });

  it('App.entitlements', async () => {
    const { nodes } = await pageThrough<{ externalId: string }>(5, async (after) =>
      (
        await t.admin(
          `query($id: ID!, $after: String) { node(id: $id) { ... on App { entitlements(first: 5, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { externalId } } } } } }`,
          { id: ids['app-a'], after },
        )
      ).node.entitlements,
    );
    expect(nodes.map((n) => n.externalId).sort()).toEqual(APP_A_ENTITLEMENTS);
  });

  it('Entitlement.holders', async () => {
    const { nodes } = await pageThrough<{ user: { externalId: string } }>(6, async (after) =>
      (
        await t.admin(
          `query($id: ID!, $after: String) { node(id: $id) { ... on Entitlement { holders(first: 6, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { user { externalId } } } } } } }`,
          { id: ids['b-viewer'], after },
        )
      ).node.holders,
    );
    expect(nodes.map((n) => n.user.externalId).sort()).toEqual(Array.from({ length: 23 }, (_, i) => `u${i + 2}`).sort());
  });

  it('AccessProfile.members', async () => {
    const { nodes } = await pageThrough<{ externalId: string }>(4, async (after) =>
      (
        await t.admin(
          `query($id: ID!, $after: String) { node(id: $id) { ... on AccessProfile { members(first: 4, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { externalId } } } } } }`,
          { id: profileIds[0], after },
        )
      ).node.members,
    );
    expect(nodes.map((n) => n.externalId).sort()).toEqual(Array.from({ length: 11 }, (_, i) => `u${i + 4}`).sort());
  });

  it('an empty connection has no edges, no next page and a total of 0', async () => {
    const data = await t.admin(`query($id: ID!) { node(id: $id) { ... on AccessProfile { members { totalCount pageInfo { hasNextPage endCursor } edges { cursor } } } } }`, { id: profileIds[1] });
    expect(data.node.members).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
  });

  it('first: 0 gives the total only; first above the maximum, a negative first or a garbage cursor is BAD_USER_INPUT', async () => {
    const zero = await t.admin(`{ users(first: 0) { totalCount edges { cursor } pageInfo { hasNextPage } } }`);
    expect(zero.users).toEqual({ totalCount: USERS, edges: [], pageInfo: { hasNextPage: true } });
    for (const args of ['first: 100000', 'first: -1', 'after: "not-a-cursor"']) {
      const body = await t.request(`{ users(${args}) { totalCount } }`);
      expect(codeOf(body), args).toBe('BAD_USER_INPUT');
      expectNoInternals(body);
    }
  });

  it('search filters users by name, email or external id, case-insensitively, with a matching totalCount', async () => {
    const byName = await t.admin(`{ users(search: "USER 1", first: 50) { totalCount edges { node { externalId } } } }`);
    // "User 1", "User 10".."User 19"
    expect(byName.users.totalCount).toBe(11);
    expect(byName.users.edges).toHaveLength(11);
    const byEmail = await t.admin(`{ users(search: "u22@EXAMPLE", first: 50) { totalCount edges { node { externalId } } } }`);
    expect(byEmail.users.edges.map((e: any) => e.node.externalId)).toEqual(['u22']);
    const none = await t.admin(`{ users(search: "zzz") { totalCount edges { cursor } } }`);
    expect(none.users).toEqual({ totalCount: 0, edges: [] });
    const blank = await t.admin(`{ users(search: "   ") { totalCount } }`);
    expect(blank.users.totalCount).toBe(USERS);
  });

  it('search filters entitlements by name', async () => {
    const data = await t.admin(`{ entitlements(search: "B-", first: 50) { totalCount edges { node { externalId } } } }`);
    expect(data.entitlements.edges.map((e: any) => e.node.externalId).sort()).toEqual(['b-admin', 'b-viewer']);
    expect(data.entitlements.totalCount).toBe(2);
    const profiles = await t.admin(`{ entitlements(search: "profile 3 (", first: 50) { totalCount edges { node { kind } } } }`);
    expect(profiles.entitlements.edges.map((e: any) => e.node.kind).sort()).toEqual(['PROFILE_ENROLLMENT', 'PROFILE_EXCLUSION']);
  });
});

describe('viewer and lookups by external id', () => {
  it('viewer is the token\'s user; null for the bootstrap admin token', async () => {
    expect((await t.admin(`{ viewer { id } }`)).viewer).toBeNull();
    const token = await tokenFor(t, ids.u3!, ['read']);
    const body = await t.request(`{ viewer { id externalId role manager { externalId } } }`, {}, token);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ viewer: { id: ids.u3, externalId: 'u3', role: 'USER', manager: { externalId: 'u0' } } });
  });

  it('userByExternalId, appByExternalId and entitlementByExternalId find theirs and answer null for unknown ones', async () => {
    const data = await t.admin(`{
      u: userByExternalId(externalId: "u2") { id email displayName status }
      a: appByExternalId(externalId: "app-b") { name provisioning owners { id } entitlements { totalCount } }
      e: entitlementByExternalId(externalId: "b-admin") { name kind app { externalId } includedIn { id } }
      nu: userByExternalId(externalId: "nope") { id }
      na: appByExternalId(externalId: "nope") { id }
      ne: entitlementByExternalId(externalId: "nope") { id }
    }`);
    expect(data).toEqual({
      u: { id: ids.u2, email: 'u2@example.com', displayName: 'User 2', status: 'ACTIVE' },
      a: { name: 'Cloud', provisioning: 'MANUAL', owners: [], entitlements: { totalCount: 2 } },
      e: { name: 'b-admin', kind: 'STANDARD', app: { externalId: 'app-b' }, includedIn: [] },
      nu: null,
      na: null,
      ne: null,
    });
  });
});

describe('access profiles', () => {
  const PROFILE_FIELDS = `id name description allowEnrollmentRequests bypassItemRequestPolicies bypassItemRevokePolicies unenrollmentAction
    enrollmentPolicy { id } unenrollmentPolicy { id }
    enrollmentEntitlement { id kind name app { id } externalId profile { id } }
    exclusionEntitlement { id kind name app { id } externalId profile { id } }
    items { id } automation { enabled mode pauseOnAnomalies condition { id } excludedUsers { id } }`;

  it('createAccessProfile makes the profile with its enrollment and exclusion entitlements and defaults', async () => {
    const data = await t.admin(`mutation($p: ID!) { createAccessProfile(input: { name: "Backend", description: "Backend engineers", enrollmentPolicyId: $p, allowEnrollmentRequests: true }) { ${PROFILE_FIELDS} } }`, {
      p: policyId,
    });
    const p = data.createAccessProfile;
    expect(p).toMatchObject({
      name: 'Backend',
      description: 'Backend engineers',
      allowEnrollmentRequests: true,
      bypassItemRequestPolicies: false,
      bypassItemRevokePolicies: false,
      unenrollmentAction: 'REVOKE_UNJUSTIFIED',
      enrollmentPolicy: { id: policyId },
      unenrollmentPolicy: null,
      items: [],
      automation: { enabled: false, mode: 'SYNC_MEMBERS_AND_ACCESS', pauseOnAnomalies: true, condition: [], excludedUsers: [] },
    });
    expect(p.enrollmentEntitlement).toMatchObject({ kind: 'PROFILE_ENROLLMENT', app: null, externalId: null, profile: { id: p.id } });
    expect(p.exclusionEntitlement).toMatchObject({ kind: 'PROFILE_EXCLUSION', app: null, externalId: null, profile: { id: p.id } });
    expect(p.enrollmentEntitlement.id).not.toBe(p.exclusionEntitlement.id);
    const { n } = await cypherOne(t, `MATCH (p:AccessProfile {id: $id})-[:ENROLLMENT_ENTITLEMENT|EXCLUSION_ENTITLEMENT]->(e:Entitlement) RETURN count(e) AS n`, { id: rawOf(p.id) });
    expect(n).toBe(2);
    profileIds.push(p.id);
  });

  it('updateAccessProfile changes what is given, keeps what is left out, renames its entitlements and clears a policy given as null', async () => {
    const id = profileIds.at(-1)!;
    const data = await t.admin(
      `mutation($id: ID!, $p: ID!) { updateAccessProfile(id: $id, input: { name: "Backend team", unenrollmentAction: LEAVE_AS_IS, bypassItemRequestPolicies: true, unenrollmentPolicyId: $p }) { ${PROFILE_FIELDS} } }`,
      { id, p: policyId },
    );
    expect(data.updateAccessProfile).toMatchObject({
      name: 'Backend team',
      description: 'Backend engineers',
      allowEnrollmentRequests: true,
      bypassItemRequestPolicies: true,
      unenrollmentAction: 'LEAVE_AS_IS',
      enrollmentPolicy: { id: policyId },
      unenrollmentPolicy: { id: policyId },
    });
    expect(data.updateAccessProfile.enrollmentEntitlement.name).toContain('Backend team');
    expect(data.updateAccessProfile.exclusionEntitlement.name).toContain('Backend team');
    const cleared = await t.admin(`mutation($id: ID!) { updateAccessProfile(id: $id, input: { name: "Backend team", enrollmentPolicyId: null }) { enrollmentPolicy { id } unenrollmentPolicy { id } } }`, { id });
    expect(cleared.updateAccessProfile).toEqual({ enrollmentPolicy: null, unenrollmentPolicy: { id: policyId } });
  });

  it('refuses an empty name, an unknown policy and an unknown profile', async () => {
    const ghostPolicy = Buffer.from('Policy:00000000-0000-0000-0000-000000000000').toString('base64');
    const ghostProfile = Buffer.from('AccessProfile:00000000-0000-0000-0000-000000000000').toString('base64');
    const before = await graphCounts(t);
    expect(codeOf(await t.request(`mutation { createAccessProfile(input: { name: "  " }) { id } }`))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.request(`mutation($p: ID!) { createAccessProfile(input: { name: "X", enrollmentPolicyId: $p }) { id } }`, { p: ghostPolicy }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.request(`mutation($id: ID!) { updateAccessProfile(id: $id, input: { name: "X" }) { id } }`, { id: ghostProfile }))).toBe('NOT_FOUND');
    expect(await graphCounts(t)).toEqual(before);
  });

  it('addProfileItems and removeProfileItems store the items, and Entitlement.includedIn follows', async () => {
    const id = profileIds[2]!;
    const added = await t.admin(`mutation($id: ID!, $e: [ID!]!) { addProfileItems(profileId: $id, entitlementIds: $e, requestForMembers: false) { items { id } } }`, {
      id,
      e: [ids['a-00'], ids['a-01'], ids['b-admin']],
    });
    expect(added.addProfileItems.items.map((e: any) => e.id).sort()).toEqual([ids['a-00'], ids['a-01'], ids['b-admin']].sort());
    // adding one again changes nothing
    const again = await t.admin(`mutation($id: ID!, $e: [ID!]!) { addProfileItems(profileId: $id, entitlementIds: $e, requestForMembers: false) { items { id } } }`, { id, e: [ids['a-00']] });
    expect(again.addProfileItems.items).toHaveLength(3);
    const included = await t.admin(`query($id: ID!) { node(id: $id) { ... on Entitlement { includedIn { id } } } }`, { id: ids['a-00'] });
    expect(included.node.includedIn).toEqual([{ id }]);
    const removed = await t.admin(`mutation($id: ID!, $e: [ID!]!) { removeProfileItems(profileId: $id, entitlementIds: $e) { items { id } } }`, { id, e: [ids['a-01']] });
    expect(removed.removeProfileItems.items.map((e: any) => e.id).sort()).toEqual([ids['a-00'], ids['b-admin']].sort());
    const unknown = Buffer.from('Entitlement:00000000-0000-0000-0000-000000000000').toString('base64');
    expect(codeOf(await t.request(`mutation($id: ID!, $e: [ID!]!) { addProfileItems(profileId: $id, entitlementIds: $e, requestForMembers: false) { id } }`, { id, e: [unknown] }))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('setMembershipAutomation stores condition, excluded users, mode and pauseOnAnomalies, and reads them back', async () => {
    const id = profileIds[3]!;
    const data = await t.admin(
      `mutation($id: ID!, $c: [ID!]!, $x: [ID!]) { setMembershipAutomation(profileId: $id, input: { enabled: false, mode: SYNC_MEMBERS_ONLY, conditionEntitlementIds: $c, excludedUserIds: $x, pauseOnAnomalies: false }) {
        automation { enabled mode pauseOnAnomalies condition { id } excludedUsers { id } } } }`,
      { id, c: [ids['b-admin'], ids['a-00']], x: [ids.u2, ids.u3] },
    );
    const automation = data.setMembershipAutomation.automation;
    expect(automation).toMatchObject({ enabled: false, mode: 'SYNC_MEMBERS_ONLY', pauseOnAnomalies: false });
    expect(automation.condition.map((e: any) => e.id).sort()).toEqual([ids['b-admin'], ids['a-00']].sort());
    expect(automation.excludedUsers.map((u: any) => u.id).sort()).toEqual([ids.u2, ids.u3].sort());
    // replacing the lists replaces them; pauseOnAnomalies, left out, keeps its value
    const replaced = await t.admin(
      `mutation($id: ID!, $c: [ID!]!) { setMembershipAutomation(profileId: $id, input: { enabled: false, mode: SYNC_MEMBERS_AND_ACCESS, conditionEntitlementIds: $c, excludedUserIds: [] }) {
        automation { mode pauseOnAnomalies condition { id } excludedUsers { id } } } }`,
      { id, c: [ids['b-admin']] },
    );
    expect(replaced.setMembershipAutomation.automation).toEqual({ mode: 'SYNC_MEMBERS_AND_ACCESS', pauseOnAnomalies: false, condition: [{ id: ids['b-admin'] }], excludedUsers: [] });
    const { c, x } = await cypherOne(t, `MATCH (p:AccessProfile {id: $id}) RETURN COUNT { (p)-[:CONDITION]->() } AS c, COUNT { (p)-[:EXCLUDES]->() } AS x`, { id: rawOf(id) });
    expect([c, x]).toEqual([1, 0]);
  });

  it('setMembershipAutomation refuses an enabled automation without a condition, and unknown entitlements or users', async () => {
    const id = profileIds[3]!;
    const ghostUser = Buffer.from('User:00000000-0000-0000-0000-000000000000').toString('base64');
    const run = (input: string, vars: Record<string, unknown> = {}) =>
      t.request(`mutation($id: ID!${'x' in vars ? ', $x: [ID!]' : ''}) { setMembershipAutomation(profileId: $id, input: ${input}) { id } }`, { id, ...vars });
    expect(codeOf(await run(`{ enabled: true, mode: SYNC_MEMBERS_ONLY, conditionEntitlementIds: [] }`))).toBe('BAD_USER_INPUT');
    expect(codeOf(await run(`{ enabled: false, mode: SYNC_MEMBERS_ONLY, conditionEntitlementIds: [], excludedUserIds: $x }`, { x: [ghostUser] }))).toBe('BAD_USER_INPUT');
    // nothing changed
    const data = await t.admin(`query($id: ID!) { node(id: $id) { ... on AccessProfile { automation { condition { id } } } } }`, { id });
    expect(data.node.automation.condition).toEqual([{ id: ids['b-admin'] }]);
  });

  it('User.memberships lists the profiles the user is enrolled in', async () => {
    const data = await t.admin(`query($a: ID!, $b: ID!) { a: node(id: $a) { ... on User { memberships { id } } } b: node(id: $b) { ... on User { memberships { id } } } }`, {
      a: await idOf(t, 'user', 'u4'),
      b: ids.u0,
    });
    expect(data.a.memberships).toEqual([{ id: profileIds[0] }]);
    expect(data.b.memberships).toEqual([]);
  });
});

describe('policies', () => {
  it('createPolicy stores ordered steps; policies lists them', async () => {
    const data = await t.admin(
      `mutation($a: ID!, $b: ID!) { createPolicy(name: "Owners then named", steps: [{ approverType: APP_OWNERS }, { approverType: USERS, userIds: [$a, $b, $a] }, { approverType: MANAGER }]) {
        id name steps { approverType approvers { id } } } }`,
      { a: ids.u1, b: ids.u2 },
    );
    const policy = data.createPolicy;
    expect(policy.name).toBe('Owners then named');
    expect(policy.steps.map((s: any) => s.approverType)).toEqual(['APP_OWNERS', 'USERS', 'MANAGER']);
    expect(policy.steps[1].approvers.map((u: any) => u.id)).toEqual([ids.u1, ids.u2]);
    expect(policy.steps[0].approvers).toEqual([]);
    const auto = await t.admin(`mutation { createPolicy(name: "Auto-approve", steps: []) { steps { approverType } } }`);
    expect(auto.createPolicy.steps).toEqual([]);
    const list = await t.admin(`{ policies { id name } }`);
    expect(list.policies.map((p: any) => p.name)).toEqual(['Auto-approve', 'Owners then named', 'Two steps']);
  });

  it('createPolicy refuses a USERS step without users, unknown users, and an empty name', async () => {
    const ghostUser = Buffer.from('User:00000000-0000-0000-0000-000000000000').toString('base64');
    const before = await t.admin(`{ policies { id } }`);
    expect(codeOf(await t.request(`mutation { createPolicy(name: "X", steps: [{ approverType: USERS }]) { id } }`))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.request(`mutation($u: ID!) { createPolicy(name: "X", steps: [{ approverType: USERS, userIds: [$u] }]) { id } }`, { u: ghostUser }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.request(`mutation { createPolicy(name: "", steps: []) { id } }`))).toBe('BAD_USER_INPUT');
    expect(await t.admin(`{ policies { id } }`)).toEqual(before);
  });
});

describe('grant sources and justification', () => {
  it('sources list DIRECT and each profile; justifiedBy lists the profiles the user is enrolled in that include the entitlement', async () => {
    // Profile 4 includes b-admin; u3 is enrolled in it and holds b-admin directly and through profile 4.
    const p4 = profileIds[4]!;
    const p5 = profileIds[5]!;
    await t.admin(`mutation($id: ID!, $e: [ID!]!) { addProfileItems(profileId: $id, entitlementIds: $e, requestForMembers: false) { id } }`, { id: p4, e: [ids['b-admin']] });
    await t.admin(`mutation($id: ID!, $e: [ID!]!) { addProfileItems(profileId: $id, entitlementIds: $e, requestForMembers: false) { id } }`, { id: p5, e: [ids['b-admin']] });
    const enrollment4 = (await t.admin(`query($id: ID!) { node(id: $id) { ... on AccessProfile { enrollmentEntitlement { id } } } }`, { id: p4 })).node.enrollmentEntitlement.id;
    await seedGrant(t, ids.u3!, enrollment4, { enrolledVia: 'RULE', profileIds: [] });
    const grantId = await seedGrant(t, ids.u3!, ids['b-admin']!, { direct: true, profileIds: [p4, p5] });
    const data = await t.admin(`query($id: ID!) { node(id: $id) { ... on Grant { id user { id } entitlement { id } grantedAt sources { type profile { id } } justifiedBy { id } } } }`, {
      id: grantId,
    });
    const grant = data.node;
    expect(grant.user.id).toBe(ids.u3);
    expect(grant.entitlement.id).toBe(ids['b-admin']);
    expect(grant.grantedAt).toBe('2024-05-01T12:00:00.000Z');
    expect(grant.sources[0]).toEqual({ type: 'DIRECT', profile: null });
    expect(grant.sources.slice(1).map((s: any) => s.profile.id).sort()).toEqual([p4, p5].sort());
    expect(grant.sources.slice(1).every((s: any) => s.type === 'PROFILE')).toBe(true);
    // p5 includes the item, but u3 is not a member of p5: only p4 justifies it
    expect(grant.justifiedBy).toEqual([{ id: p4 }]);
    // a grant nobody's profile includes is justified by none
    const other = await t.admin(`query($id: ID!) { node(id: $id) { ... on User { grants(first: 50) { edges { node { entitlement { externalId } justifiedBy { id } } } } } } }`, { id: ids.u3 });
    const viewer = other.node.grants.edges.map((e: any) => e.node).find((g: any) => g.entitlement.externalId === 'b-viewer');
    expect(viewer.justifiedBy).toEqual([]);
  });
});

describe('safeguard settings', () => {
  it('reads the deployment defaults, then the stored values after an update', async () => {
    expect((await t.admin(`{ safeguardSettings { minMembers maxUnenrollRatio } }`)).safeguardSettings).toEqual({ minMembers: 100, maxUnenrollRatio: 0.2 });
    const updated = await t.admin(`mutation { updateSafeguardSettings(minMembers: 10, maxUnenrollRatio: 0.5) { minMembers maxUnenrollRatio } }`);
    expect(updated.updateSafeguardSettings).toEqual({ minMembers: 10, maxUnenrollRatio: 0.5 });
    expect((await t.admin(`{ safeguardSettings { minMembers maxUnenrollRatio } }`)).safeguardSettings).toEqual({ minMembers: 10, maxUnenrollRatio: 0.5 });
  });

  it('refuses a ratio outside 0..1 or a negative minimum, keeping the stored values', async () => {
    expect(codeOf(await t.request(`mutation { updateSafeguardSettings(minMembers: 10, maxUnenrollRatio: 1.5) { minMembers } }`))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.request(`mutation { updateSafeguardSettings(minMembers: -1, maxUnenrollRatio: 0.1) { minMembers } }`))).toBe('BAD_USER_INPUT');
    expect((await t.admin(`{ safeguardSettings { minMembers maxUnenrollRatio } }`)).safeguardSettings).toEqual({ minMembers: 10, maxUnenrollRatio: 0.5 });
  });
});


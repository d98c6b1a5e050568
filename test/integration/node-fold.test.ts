/**
 * node(id) brings the page below it along (src/schema/node-fold.ts): a profile's members, an
 * entitlement's holders and a user's grants asked through node(id) cost one statement, the page
 * statement with the record of its parent. The answers and errors are those of the unfolded path
 * (nodes(ids:) does not fold), the parent record is the one the by-id statements return,
 * authorization refuses the same fields, a node not found stays null, and bad page arguments,
 * aliases, fragments and @skip behave as without the fold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';
import { rawOf, seedGrant } from '../helpers/foundation-graph.js';
import { createProfile } from '../helpers/sync-seed.js';

let t: TestApp;
const users: string[] = [];
const entitlements: string[] = [];
let profile: Awaited<ReturnType<typeof createProfile>>;
const token: Record<'user' | 'auditor' | 'auditorNoRead' | 'userNoRead', string> = { user: '', auditor: '', auditorNoRead: '', userNoRead: '' };

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, 6, [{ externalId: 'code', name: 'Code host', owners: ['u0'], entitlements: ['read', 'write', 'deploy'] }]);
  for (let i = 0; i < 6; i++) users.push(await idOf(t, 'user', `u${i}`));
  for (const name of ['read', 'write', 'deploy']) entitlements.push(await idOf(t, 'entitlement', name));
  profile = await createProfile(t, 'Developers', { description: 'devs' });
  await t.admin(`mutation($id: ID!, $e: [ID!]!) { addProfileItems(profileId: $id, entitlementIds: $e, requestForMembers: false) { id } }`, { id: profile.id, e: entitlements.slice(0, 2) });
  for (const u of users.slice(1, 4)) await seedGrant(t, u, profile.enrollmentEntitlementId, { enrolledVia: 'MANUAL' });
  for (const u of users.slice(1, 3)) for (const e of entitlements.slice(0, 2)) await seedGrant(t, u, e, { profileIds: [profile.id] });
  await seedGrant(t, users[4]!, entitlements[2]!, { direct: true });
  token.user = await tokenFor(t, users[1]!, ['read']);
  token.userNoRead = await tokenFor(t, users[2]!, ['request']);
  token.auditor = await tokenFor(t, users[5]!, ['read'], 'AUDITOR');
  token.auditorNoRead = await tokenFor(t, users[5]!, ['request']);
}, 400_000);
afterAll(async () => t?.stop());

const USER = 'id externalId email displayName status role manager { id }';
const GRANT = `id grantedAt sources { type profile { id } } user { ${USER} } entitlement { id name kind externalId app { id name } profile { id } requestPolicy { id } }
  justifiedBy { id name description enrollmentEntitlement { id } exclusionEntitlement { id } automation { enabled } }`;
const PROFILE = `id name description allowEnrollmentRequests unenrollmentAction enrollmentEntitlement { id } exclusionEntitlement { id } enrollmentPolicy { id }`;
const ENTITLEMENT = 'id externalId name kind app { id } profile { id } requestPolicy { id } revokePolicy { id }';

/** Each read, as a selection on the node; node(id) folds it, nodes(ids:) does not. */
const READS = {
  members: (first = 50) => `... on AccessProfile { ${PROFILE} members(first: ${first}) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${USER} } } } }`,
  holders: (first = 50) => `... on Entitlement { ${ENTITLEMENT} holders(first: ${first}) { totalCount pageInfo { hasNextPage } edges { node { ${GRANT} } } } }`,
  grants: (first = 50) => `... on User { ${USER} grants(first: ${first}) { totalCount pageInfo { hasNextPage } edges { node { ${GRANT} } } } }`,
};

/** Statements the directory's reads ran while `work` ran (background work aside). */
async function statementsDuring(work: () => Promise<unknown>): Promise<Record<string, number>> {
  const counts = t.app.services.db.statementCounts;
  const before = new Map(counts);
  await work();
  const ran: Record<string, number> = {};
  for (const [name, count] of counts) if (count > (before.get(name) ?? 0) && /^(directory|profiles|policies)\//.test(name)) ran[name] = count - (before.get(name) ?? 0);
  return ran;
}

/** node(id) and nodes([id]) with the same selection, as a viewer: the bodies (nodes' unwrapped, paths aligned). */
async function bothWays(id: string, selection: string, viewer?: string) {
  const folded = await t.request<any>(`query($id: ID!) { node(id: $id) { ${selection} } }`, { id }, viewer);
  const plain = await t.request<any>(`query($id: ID!) { nodes(ids: [$id]) { ${selection} } }`, { id }, viewer);
  const errors = (body: any, strip: number) => (body.errors ?? []).map((e: any) => [e.extensions?.code, e.message, e.path?.slice(strip).join('.')]).sort();
  return {
    folded: { data: folded.data?.node ?? null, errors: errors(folded, 1) },
    plain: { data: plain.data?.nodes?.[0] ?? null, errors: errors(plain, 2) },
  };
}

describe('node(id) with the page below it', () => {
  it('reads a profile with its members, an entitlement with its holders and a user with their grants in one statement each', async () => {
    expect(await statementsDuring(() => t.admin(`query($id: ID!) { node(id: $id) { ... on AccessProfile { name members(first: 50) { totalCount edges { node { id displayName email } } } } } }`, { id: profile.id }))).toEqual({
      'profiles/members-of-profiles': 1,
    });
    expect(await statementsDuring(() => t.admin(`query($id: ID!) { node(id: $id) { ... on Entitlement { holders(first: 50) { edges { node { id grantedAt user { id displayName } } } } } } }`, { id: entitlements[0] }))).toEqual({
      'directory/holders-of-entitlements': 1,
    });
    expect(await statementsDuring(() => t.admin(`query($id: ID!) { node(id: $id) { ... on User { grants(first: 50) { edges { node { id entitlement { id name } justifiedBy { id name } } } } } } }`, { id: users[1] }))).toEqual({
      'directory/grants-of-users': 1,
    });
  });

  it('answers as the unfolded reads do, records and pages alike', async () => {
    for (const [id, selection] of [
      [profile.id, READS.members()],
      [profile.id, READS.members(2)],
      [entitlements[0]!, READS.holders()],
      [entitlements[0]!, READS.holders(1)],
      [users[1]!, READS.grants()],
      [users[4]!, READS.grants(1)],
    ] as const) {
      const { folded, plain } = await bothWays(id, selection);
      expect(folded.errors).toEqual([]);
      expect(folded).toEqual(plain);
    }
    const members = (await bothWays(profile.id, READS.members())).folded.data;
    expect(members.description).toBe('devs');
    expect(members.members.totalCount).toBe(3);
    const grants = (await bothWays(users[1]!, READS.grants())).folded.data.grants.edges.map((e: any) => e.node);
    expect(grants.filter((g: any) => g.justifiedBy.length > 0)).toHaveLength(2);
  });

  it('brings the parent record as the by-id statements return it', async () => {
    await t.app.services.db.read('test.fold', async (tx) => {
      const page = { after: null, limit: 50, withParent: true };
      const [member] = await tx.run<any>('profiles/members-of-profiles', { profileIds: [profile.raw], ...page });
      expect(member.parent).toEqual((await tx.run<any>('profiles/profiles-by-id', { ids: [profile.raw] }))[0].profile);
      for (const e of entitlements.map(rawOf)) {
        const [holders] = await tx.run<any>('directory/holders-of-entitlements', { entitlementIds: [e], withUsers: false, ...page });
        expect(holders.parent).toEqual((await tx.run<any>('directory/entitlements-by-id', { ids: [e] }))[0].entitlement);
      }
      const enrollment = rawOf(profile.enrollmentEntitlementId);
      const [enrollmentHolders] = await tx.run<any>('directory/holders-of-entitlements', { entitlementIds: [enrollment], withUsers: false, ...page });
      expect(enrollmentHolders.parent.profileId).toBe(profile.raw);
      expect(enrollmentHolders.parent).toEqual((await tx.run<any>('directory/entitlements-by-id', { ids: [enrollment] }))[0].entitlement);
      for (const u of users.map(rawOf)) {
        const [grants] = await tx.run<any>('directory/grants-of-users', { userIds: [u], withEntitlements: false, withApps: false, withJustifiedBy: false, ...page, usersAfter: null, usersLimit: 0, search: null });
        expect(grants.parent).toEqual((await tx.run<any>('directory/users-by-id', { ids: [u] }))[0].user);
      }
      // Without $withParent, no parent.
      const [bare] = await tx.run<any>('profiles/members-of-profiles', { profileIds: [profile.raw], ...page, withParent: false });
      expect(bare.parent).toBeNull();
    });
  });

  it('refuses the same fields with the same errors, and reads no page for a refused viewer', async () => {
    const cases: [string, string, keyof typeof token][] = [
      [profile.id, READS.members(), 'user'],
      [entitlements[0]!, READS.holders(), 'user'],
      [users[2]!, READS.grants(), 'user'], // another user's grants
      [users[1]!, READS.grants(), 'user'], // their own
      [users[2]!, READS.grants(), 'userNoRead'], // their own, without the read scope
      [profile.id, READS.members(), 'auditor'],
      [entitlements[0]!, READS.holders(), 'auditorNoRead'],
      [users[3]!, READS.grants(), 'auditor'],
    ];
    for (const [id, selection, viewer] of cases) {
      const { folded, plain } = await bothWays(id, selection, token[viewer]);
      expect(folded, `${viewer} ${selection.slice(0, 25)}`).toEqual(plain);
    }
    const refused = await bothWays(entitlements[0]!, READS.holders(), token.user);
    expect(refused.folded.errors.map((e: any) => [e[0], e[2]])).toEqual([['FORBIDDEN', 'holders']]);
    expect(refused.folded.data.name).toBe('read');
    expect(refused.folded.data.holders).toBeNull();
    const ownGrants = await bothWays(users[1]!, READS.grants(), token.user);
    expect(ownGrants.folded.errors).toEqual([]);
    expect(ownGrants.folded.data.grants.totalCount).toBe(3);
    // A refused viewer reads the record only: no page is read for it.
    const ran = await statementsDuring(() => t.request(`query($id: ID!) { node(id: $id) { ... on Entitlement { name holders { edges { node { id } } } } } }`, { id: entitlements[0] }, token.user));
    expect(ran).toEqual({ 'directory/entitlements-by-id': 1 });
    const anonymous = await t.request<any>(`query($id: ID!) { node(id: $id) { ${READS.members()} } }`, { id: profile.id }, null);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(anonymous.data?.node ?? null).toBeNull();
  });

  it('answers null for a node that is not found, as without the fold', async () => {
    for (const [type, selection] of [
      ['AccessProfile', READS.members()],
      ['Entitlement', READS.holders()],
      ['User', READS.grants()],
    ] as const) {
      const ghost = Buffer.from(`${type}:00000000-0000-0000-0000-000000000000`).toString('base64');
      const { folded, plain } = await bothWays(ghost, selection);
      expect(folded).toEqual({ data: null, errors: [] });
      expect(folded).toEqual(plain);
    }
    // An id of another type is not found either: a user's id asked as a profile.
    const asProfile = Buffer.from(`AccessProfile:${rawOf(users[1]!)}`).toString('base64');
    expect((await bothWays(asProfile, READS.members())).folded).toEqual({ data: null, errors: [] });
  });

  it('refuses bad page arguments where they stand, as without the fold', async () => {
    for (const [id, selection] of [
      [profile.id, READS.members(-1)],
      [entitlements[0]!, READS.holders(100_000)],
      [users[1]!, READS.grants().replace('grants(first: 50)', 'grants(first: 5, after: "garbage!")')],
    ] as const) {
      const { folded, plain } = await bothWays(id, selection);
      expect(folded.errors.map((e: any) => e[0])).toEqual(['BAD_USER_INPUT']);
      expect(folded).toEqual(plain);
    }
  });

  it('folds through fragments and variables, and reads each alias of the page as asked', async () => {
    const fragment = `query($id: ID!, $n: Int) { node(id: $id) { ...P } } fragment P on AccessProfile { members(first: $n) { totalCount edges { node { id } } } }`;
    const viaFragment = await statementsDuring(async () => expect((await t.admin(fragment, { id: profile.id, n: 2 })).node.members.edges).toHaveLength(2));
    expect(viaFragment).toEqual({ 'profiles/members-of-profiles': 1 });
    const onNode = `query($id: ID!) { node(id: $id) { ... on Node { ... on User { grants(first: 1) { totalCount } } } } }`;
    expect(await statementsDuring(async () => expect((await t.admin(onNode, { id: users[1] })).node.grants.totalCount).toBe(3))).toEqual({ 'directory/grants-of-users': 1 });

    const aliases = await t.admin(`query($id: ID!) { node(id: $id) { ... on AccessProfile { a: members(first: 1) { edges { node { id } } } b: members(first: 3) { edges { node { id } } } } } }`, { id: profile.id });
    expect(aliases.node.a.edges).toHaveLength(1);
    expect(aliases.node.b.edges).toHaveLength(3);
    expect(aliases.node.b.edges[0]).toEqual(aliases.node.a.edges[0]);

    // A page skipped is not read.
    const skipped = await statementsDuring(() => t.admin(`query($id: ID!, $s: Boolean!) { node(id: $id) { ... on AccessProfile { name members @skip(if: $s) { totalCount } } } }`, { id: profile.id, s: true }));
    expect(skipped).toEqual({ 'profiles/profiles-by-id': 1 });
  });
});

describe('users with the grants below them', () => {
  const USERS_READ = (args: string, grants = 'grants(first: 50)') => `{ users(${args}) { pageInfo { hasNextPage endCursor } edges { cursor node { ${USER} ${grants} { totalCount pageInfo { hasNextPage } edges { node { ${GRANT} } } } } } } }`;

  it('reads the page of users and their grants in one statement', async () => {
    expect(await statementsDuring(() => t.admin(`{ users(first: 50) { edges { node { id grants(first: 50) { edges { node { id entitlement { name app { name } } } } } } } } }`)))
      .toEqual({ 'directory/grants-of-users': 1 });
    // With the total, the count too; without grants, the page alone.
    expect(await statementsDuring(() => t.admin(`{ users(first: 2) { totalCount edges { node { grants { totalCount } } } } }`))).toEqual({ 'directory/grants-of-users': 1, 'directory/count-users': 1 });
    expect(await statementsDuring(() => t.admin(`{ users(first: 2) { edges { node { id } } } }`))).toEqual({ 'directory/list-users': 1 });
  });

  it('answers as the unfolded reads do, page by page and with a search', async () => {
    for (const args of ['first: 50', 'first: 2', 'first: 3, search: "user 1"', 'first: 0']) {
      const folded = (await t.admin(USERS_READ(args))).users;
      const ids = folded.edges.map((e: any) => e.node.id);
      const unfolded = (await t.admin(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on User { ${USER} grants(first: 50) { totalCount pageInfo { hasNextPage } edges { node { ${GRANT} } } } } } }`, { ids })).nodes;
      expect(folded.edges.map((e: any) => e.node), args).toEqual(unfolded);
      const plain = (await t.admin(`{ users(${args}) { pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`)).users;
      expect({ ...folded, edges: folded.edges.map((e: any) => ({ cursor: e.cursor, node: { id: e.node.id } })) }, args).toEqual(plain);
    }
    const second = (await t.admin(`query($a: String!) { users(first: 2, after: $a) { edges { node { id grants { totalCount } } } } }`, { a: (await t.admin(`{ users(first: 2) { pageInfo { endCursor } } }`)).users.pageInfo.endCursor })).users.edges;
    const all = (await t.admin(`{ users(first: 50) { edges { node { id } } } }`)).users.edges.map((e: any) => e.node.id);
    expect(second.map((e: any) => e.node.id)).toEqual(all.slice(2, 4));
    const withGrants = (await t.admin(USERS_READ('first: 50'))).users.edges.map((e: any) => e.node);
    expect(withGrants.find((u: any) => u.id === users[1]).grants.totalCount).toBe(3);
    expect(withGrants.find((u: any) => u.id === users[1]).grants.edges.filter((e: any) => e.node.justifiedBy.length > 0)).toHaveLength(2);
  });

  it('reads unfolded for a viewer who may not read every user, with the same errors', async () => {
    const body = await t.request<any>(USERS_READ('first: 50'), {}, token.user);
    // Five others' grants and roles refused.
    expect(body.errors?.map((e: any) => e.extensions?.code)).toEqual(Array(10).fill('FORBIDDEN'));
    expect(body.data.users.edges.filter((e: any) => e.node.grants !== null).map((e: any) => e.node.id)).toEqual([users[1]]);
    const ran = await statementsDuring(() => t.request(USERS_READ('first: 50'), {}, token.user));
    // The page of users, then the one page of grants the viewer may see (and what its grants show).
    expect(ran).toMatchObject({ 'directory/list-users': 1, 'directory/grants-of-users': 1 });
    // An auditor reads everyone: folded, and the same answer as an admin's.
    expect((await t.request<any>(USERS_READ('first: 50'), {}, token.auditor)).data).toEqual(await t.admin(USERS_READ('first: 50')));
  });

  it('refuses bad grants arguments where they stand, and reads each alias as asked', async () => {
    const bad = await t.request<any>(USERS_READ('first: 2', 'grants(first: 5, after: "garbage!")'));
    expect(bad.errors?.map((e: any) => [e.extensions?.code, e.path?.join(".")])).toEqual([
      ['BAD_USER_INPUT', 'users.edges.0.node.grants'],
      ['BAD_USER_INPUT', 'users.edges.1.node.grants'],
    ]);
    const aliases = (await t.admin(`{ users(first: 50) { edges { node { id a: grants(first: 1) { edges { node { id } } } b: grants(first: 3) { edges { node { id } } } } } } }`)).users.edges;
    const u1 = aliases.find((e: any) => e.node.id === users[1]).node;
    expect(u1.a.edges).toHaveLength(1);
    expect(u1.b.edges).toHaveLength(3);
  });
});

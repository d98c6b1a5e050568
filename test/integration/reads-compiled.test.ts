/**
 * Nested pages that bring their records along (src/directory/pages.ts): a user's grants with their
 * entitlements, apps and justifying profiles, an entitlement's holders with their users and a
 * profile's members come back in the page's one statement. The answers are the same as those
 * the by-id loaders give (reached through nodes(ids:)), the records the same as the by-id
 * statements return, authorization refuses the same fields with the same errors, the reads run
 * one statement each (test/integration/node-fold.test.ts), and the driver's Bolt sockets have TCP_NODELAY.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boltSocketsTuned } from '../../src/db/no-delay.js';
import { resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';
import { cypher, rawOf, seedGrant } from '../helpers/foundation-graph.js';
import { createProfile } from '../helpers/sync-seed.js';

let t: TestApp;
let userToken: string;
const users: string[] = [];
const entitlements: string[] = [];
let profile: Awaited<ReturnType<typeof createProfile>>;
const USERS = 6;
/** directory/grants-of-users' parameters for a page of users, at rest when it is given user ids. */
const AT_REST = { usersAfter: null, usersLimit: 0, search: null };
const NAMES = ['repo-read', 'repo-write', 'deploy', 'billing'];

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, USERS, [
    { externalId: 'code', name: 'Code host', owners: ['u0', 'u1'], entitlements: NAMES.slice(0, 3) },
    { externalId: 'pay', name: 'Payments', entitlements: NAMES.slice(3) },
  ]);
  for (let i = 0; i < USERS; i++) users.push(await idOf(t, 'user', `u${i}`));
  for (const name of NAMES) entitlements.push(await idOf(t, 'entitlement', name));
  const policy = (await t.admin(`mutation { createPolicy(name: "Manager", steps: [{ approverType: MANAGER }]) { id } }`)).createPolicy.id;
  await t.admin(`mutation($e: [EntitlementInput!]!) { upsertEntitlements(entitlements: $e) { updated } }`, {
    e: [{ externalId: 'deploy', appExternalId: 'code', name: 'deploy', requestPolicyId: policy, revokePolicyId: policy }],
  });
  profile = await createProfile(t, 'Developers');
  await t.admin(`mutation($id: ID!, $e: [ID!]!) { addProfileItems(profileId: $id, entitlementIds: $e, requestForMembers: false) { id } }`, {
    id: profile.id,
    e: entitlements.slice(0, 2),
  });
  // u1..u3 are members; u1 and u2 hold the items through the profile, u4 holds one directly.
  for (const u of users.slice(1, 4)) await seedGrant(t, u, profile.enrollmentEntitlementId, { enrolledVia: 'MANUAL' });
  for (const u of users.slice(1, 3)) for (const e of entitlements.slice(0, 2)) await seedGrant(t, u, e, { profileIds: [profile.id] });
  for (const e of entitlements.slice(1)) await seedGrant(t, users[4]!, e, { direct: true });
  await seedGrant(t, users[0]!, entitlements[2]!, { direct: true });
  userToken = await tokenFor(t, users[1]!, ['read']);
}, 400_000);
afterAll(async () => t?.stop());

const GRANT_FIELDS = `id grantedAt sources { type profile { id name } } entitlement { id name kind externalId app { id name owners { id } } requestPolicy { id } revokePolicy { id } profile { id } }
  justifiedBy { id name enrollmentEntitlement { id } automation { enabled } } user { id displayName manager { id } }`;

/** Statements the directory's reads ran while `work` ran (background work aside). */
async function statementsDuring(work: () => Promise<unknown>): Promise<Record<string, number>> {
  const counts = t.app.services.db.statementCounts;
  const before = new Map(counts);
  await work();
  const ran: Record<string, number> = {};
  for (const [name, count] of counts) if (count > (before.get(name) ?? 0) && /^(directory|profiles|policies)\//.test(name)) ran[name] = count - (before.get(name) ?? 0);
  return ran;
}

describe('a page that brings its records along', () => {
  it("answers a user's grants with entitlements, apps and justifying profiles as the by-id loaders do", async () => {
    const data = await t.admin(`{ users(first: 50) { edges { node { id grants(first: 50) { totalCount edges { node { ${GRANT_FIELDS} } } } } } } }`);
    const grants = data.users.edges.flatMap((e: any) => e.node.grants.edges.map((g: any) => g.node));
    expect(grants.length).toBe(3 + 4 + 3 + 1);
    expect(grants.some((g: any) => g.justifiedBy.length > 0)).toBe(true);
    expect(grants.some((g: any) => g.entitlement.requestPolicy !== null)).toBe(true);
    const byId = await t.admin(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Grant { ${GRANT_FIELDS} } } }`, { ids: grants.map((g: any) => g.id) });
    expect(grants).toEqual(byId.nodes);
  });

  it("answers an entitlement's holders with their users, and a profile's members, as the by-id loaders do", async () => {
    const holders = (await t.admin(`query($id: ID!) { node(id: $id) { ... on Entitlement { holders(first: 2) { totalCount pageInfo { hasNextPage } edges { node { ${GRANT_FIELDS} } } } } } }`, { id: entitlements[1] }))
      .node.holders;
    expect(holders.totalCount).toBe(3);
    expect(holders.pageInfo.hasNextPage).toBe(true);
    const byId = await t.admin(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Grant { ${GRANT_FIELDS} } } }`, { ids: holders.edges.map((e: any) => e.node.id) });
    expect(holders.edges.map((e: any) => e.node)).toEqual(byId.nodes);

    const USER_FIELDS = 'id externalId email displayName status role manager { id }';
    const members = (await t.admin(`query($id: ID!) { node(id: $id) { ... on AccessProfile { members { totalCount edges { node { ${USER_FIELDS} } } } } } }`, { id: profile.id })).node.members;
    expect(members.totalCount).toBe(3);
    // Members come in id order.
    const memberIds = users.slice(1, 4).sort((x, y) => rawOf(x).localeCompare(rawOf(y)));
    const people = await t.admin(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on User { ${USER_FIELDS} } } }`, { ids: memberIds });
    expect(members.edges.map((e: any) => e.node)).toEqual(people.nodes);
  });

  it('brings the same records as the by-id statements return', async () => {
    const db = t.app.services.db;
    const userIds = users.map(rawOf);
    await db.read('test.records', async (tx) => {
      const pages = await tx.run<any>('directory/grants-of-users', { userIds, after: null, limit: 50, withEntitlements: true, withApps: true, withJustifiedBy: true, withParent: false, ...AT_REST });
      const grants = pages.flatMap((p) => p.grants);
      const sorted = <T extends { id: string }>(xs: T[]) => [...new Map(xs.map((x) => [x.id, x])).values()].sort((a, b) => a.id.localeCompare(b.id));
      expect(sorted(grants)).toEqual(sorted((await tx.run<any>('directory/grants-by-id', { ids: grants.map((g) => g.id) })).map((r) => r.grant)));
      const entitlementRows = pages.flatMap((p) => p.entitlements);
      expect(sorted(entitlementRows)).toEqual(sorted((await tx.run<any>('directory/entitlements-by-id', { ids: grants.map((g) => g.entitlementId) })).map((r) => r.entitlement)));
      const apps = pages.flatMap((p) => p.apps);
      expect(sorted(apps)).toEqual(sorted((await tx.run<any>('directory/apps-by-id', { ids: entitlementRows.map((e) => e.appId) })).map((r) => r.app)));
      const justified = pages.flatMap((p) => p.justified);
      const expected = await tx.run<any>('directory/justifying-profiles-of-grants', { grantIds: justified.map((j) => j.grantId) });
      expect(Object.fromEntries(justified.map((j) => [j.grantId, j.profiles.map((p: any) => p.id)]))).toEqual(Object.fromEntries(expected.map((r) => [r.parentId, r.ids])));
      const profiles = justified.flatMap((j) => j.profiles);
      expect(profiles.length).toBeGreaterThan(0);
      expect(sorted(profiles)).toEqual(sorted((await tx.run<any>('profiles/profiles-by-id', { ids: profiles.map((p) => p.id) })).map((r) => r.profile)));

      const holders = await tx.run<any>('directory/holders-of-entitlements', { entitlementIds: entitlements.map(rawOf), after: null, limit: 50, withUsers: true, withParent: false });
      const holderUsers = holders.flatMap((h) => h.users);
      expect(sorted(holderUsers)).toEqual(sorted((await tx.run<any>('directory/users-by-id', { ids: holderUsers.map((u) => u.id) })).map((r) => r.user)));
      const members = (await tx.run<any>('profiles/members-of-profiles', { profileIds: [profile.raw], after: null, limit: 50, withParent: false }))[0].users;
      expect(members).toEqual(sorted((await tx.run<any>('directory/users-by-id', { ids: users.slice(1, 4).map(rawOf) })).map((r) => r.user)));
      // Asked for nothing more, a page brings only its grants.
      const bare = await tx.run<any>('directory/grants-of-users', { userIds, after: null, limit: 50, withEntitlements: false, withApps: false, withJustifiedBy: false, withParent: false, ...AT_REST });
      expect(bare.flatMap((p) => [...p.entitlements, ...p.apps, ...p.justified])).toEqual([]);
      expect(sorted(bare.flatMap((p) => p.grants))).toEqual(sorted(grants));
    });
  });

  it('refuses the same fields with the same errors as a query that brings nothing along', async () => {
    const rich = await t.request<any>(`{ users(first: 50) { edges { node { id grants { edges { node { id entitlement { name app { name } } justifiedBy { name } } } } } } } }`, {}, userToken);
    const bare = await t.request<any>(`{ users(first: 50) { edges { node { id grants { totalCount } } } } }`, {}, userToken);
    const refused = (body: any) => body.errors.map((e: any) => [e.extensions.code, e.path.join('.')]).sort();
    expect(refused(rich)).toEqual(refused(bare));
    expect(rich.errors).toHaveLength(USERS - 1);
    const own = rich.data.users.edges.find((e: any) => e.node.id === users[1]).node.grants.edges.map((e: any) => e.node);
    expect(own).toHaveLength(3);
    expect(own.filter((g: any) => g.justifiedBy.map((p: any) => p.name).includes('Developers'))).toHaveLength(2);
    for (const edge of rich.data.users.edges) if (edge.node.id !== users[1]) expect(edge.node.grants).toBeNull();

    const holders = await t.request<any>(`query($id: ID!) { node(id: $id) { ... on Entitlement { name holders { edges { node { user { id } } } } } } }`, { id: entitlements[0] }, userToken);
    expect(holders.data.node).toEqual({ name: 'repo-read', holders: null });
    expect(holders.errors?.map((e: any) => [e.extensions.code, e.path.join('.')])).toEqual([['FORBIDDEN', 'node.holders']]);
  });

  it('runs one statement for each of the reads of bench/reads.ts, and counts users only when asked', async () => {
    const reads: [string, Record<string, unknown>, number][] = [
      [`{ users(first: 50) { edges { node { id grants(first: 50) { edges { node { id entitlement { name app { name } } } } } } } } }`, {}, 1],
      [`query($id: ID!) { node(id: $id) { ... on AccessProfile { members(first: 50) { totalCount edges { node { id displayName } } } } } }`, { id: profile.id }, 1],
      [`query($id: ID!) { node(id: $id) { ... on Entitlement { holders(first: 50) { edges { node { id user { displayName } } } } } } }`, { id: entitlements[1] }, 1],
      [`query($id: ID!) { node(id: $id) { ... on User { grants(first: 50) { edges { node { id entitlement { name } justifiedBy { name } } } } } } }`, { id: users[1] }, 1],
    ];
    for (const [query, variables, statements] of reads) {
      const ran = await statementsDuring(() => t.admin(query, variables));
      expect(Object.values(ran).reduce((a, b) => a + b, 0), JSON.stringify(ran)).toBe(statements);
    }
    expect(await statementsDuring(() => t.admin(`{ users { totalCount edges { node { id } } } }`))).toEqual({ 'directory/list-users': 1, 'directory/count-users': 1 });
    expect(await statementsDuring(() => t.admin(`{ users { edges { node { id } } } }`))).toEqual({ 'directory/list-users': 1 });
  });

  it("sets TCP_NODELAY on the driver's Bolt sockets", async () => {
    await t.admin(`{ users(first: 1) { edges { node { id } } } }`);
    expect(boltSocketsTuned()).toBeGreaterThan(0);
  });

  it('pages through users in id order, whatever the page size', async () => {
    const all = (await t.admin(`{ users(first: 50) { edges { node { id } } } }`)).users.edges.map((e: any) => e.node.id);
    const raw = await cypher<{ id: string }>(t, `MATCH (u:User) RETURN u.id AS id ORDER BY u.id`);
    expect(all.map(rawOf)).toEqual(raw.map((r) => r.id));
    const second = (await t.admin(`query($a: String!) { users(first: 2, after: $a) { edges { node { id } } } }`, { a: (await t.admin(`{ users(first: 2) { pageInfo { endCursor } } }`)).users.pageInfo.endCursor })).users.edges;
    expect(second.map((e: any) => e.node.id)).toEqual(all.slice(2, 4));
  });
});

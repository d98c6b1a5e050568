/**
 * Authentication and roles through the real server on Neo4j: bearer tokens, the bootstrap
 * ADMIN_TOKEN, API tokens stored as hashes, revocation, roles and scopes, and error bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';
import { codeOf, cypher, cypherOne, expectNoInternals, graphCounts, seedGrant } from '../helpers/foundation-graph.js';

let t: TestApp;
const ids: Record<string, string> = {};
let profileId: string;

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, 6, [{ externalId: 'gh', name: 'GitHub', owners: ['u0'], entitlements: ['gh-admin', 'gh-member'] }]);
  await t.admin(`mutation($g: [GrantInput!]!) { upsertGrants(grants: $g) { created } }`, {
    g: [
      { userExternalId: 'u1', entitlementExternalId: 'gh-member' },
      { userExternalId: 'u2', entitlementExternalId: 'gh-member' },
      { userExternalId: 'u2', entitlementExternalId: 'gh-admin' },
    ],
  });
  for (const u of ['u0', 'u1', 'u2', 'u3', 'u4', 'u5']) ids[u] = await idOf(t, 'user', u);
  ids['gh-member'] = await idOf(t, 'entitlement', 'gh-member');
  profileId = (await t.admin(`mutation { createAccessProfile(input: { name: "Devs" }) { id enrollmentEntitlement { id } } }`)).createAccessProfile.id;
  const enrollment = (await t.admin(`query($id: ID!) { node(id: $id) { ... on AccessProfile { enrollmentEntitlement { id } } } }`, { id: profileId })).node.enrollmentEntitlement.id;
  await seedGrant(t, ids.u1!, enrollment, { enrolledVia: 'MANUAL' });
});
afterAll(async () => t?.stop());

const grantIdsOf = async (userId: string): Promise<string[]> =>
  (await t.admin(`query($id: ID!) { node(id: $id) { ... on User { grants { edges { node { id } } } } } }`, { id: userId })).node.grants.edges.map((e: any) => e.node.id);

/** Every mutation this issue owns, with harmless arguments: roles without the right get FORBIDDEN on each. */
const MUTATIONS: [string, string][] = [
  ['upsertUsers', `mutation { upsertUsers(users: [{ externalId: "zz", email: "zz@x.example", displayName: "Z" }]) { created } }`],
  ['upsertApps', `mutation { upsertApps(apps: [{ externalId: "zz", name: "Z" }]) { created } }`],
  ['upsertEntitlements', `mutation { upsertEntitlements(entitlements: [{ externalId: "zz", appExternalId: "gh", name: "Z" }]) { created } }`],
  ['upsertGrants', `mutation { upsertGrants(grants: [{ userExternalId: "u3", entitlementExternalId: "gh-admin" }]) { created } }`],
  ['createPolicy', `mutation { createPolicy(name: "Z", steps: []) { id } }`],
  ['createAccessProfile', `mutation { createAccessProfile(input: { name: "Z" }) { id } }`],
  ['updateAccessProfile', `mutation($p: ID!) { updateAccessProfile(id: $p, input: { name: "Z" }) { id } }`],
  ['addProfileItems', `mutation($p: ID!, $e: ID!) { addProfileItems(profileId: $p, entitlementIds: [$e], requestForMembers: false) { id } }`],
  ['removeProfileItems', `mutation($p: ID!, $e: ID!) { removeProfileItems(profileId: $p, entitlementIds: [$e]) { id } }`],
  ['setMembershipAutomation', `mutation($p: ID!) { setMembershipAutomation(profileId: $p, input: { enabled: false, mode: SYNC_MEMBERS_ONLY, conditionEntitlementIds: [] }) { id } }`],
  ['updateSafeguardSettings', `mutation { updateSafeguardSettings(minMembers: 1, maxUnenrollRatio: 0.9) { minMembers } }`],
  ['setUserRole', `mutation($u: ID!) { setUserRole(userId: $u, role: ADMIN) { id } }`],
  ['createApiToken', `mutation($u: ID!) { createApiToken(userId: $u, name: "z", scopes: ["admin"]) { token } }`],
  ['revokeApiToken', `mutation { revokeApiToken(id: "00000000-0000-0000-0000-000000000000") { id } }`],
];
const mutationVars = () => ({ p: profileId, e: ids['gh-member'], u: ids.u5 });
/** Sends only the variables an operation declares (GraphQL refuses unused ones). */
const varsFor = (query: string) => Object.fromEntries(Object.entries(mutationVars()).filter(([k]) => query.includes(`$${k}`)));

describe('authentication', () => {
  it('refuses a request without a token, with a garbage token, or with a malformed header: UNAUTHENTICATED', async () => {
    for (const token of [null, 'garbage', 'age_notarealtokenatall']) {
      const body = await t.request(`{ users { totalCount } }`, {}, token);
      expect(codeOf(body), String(token)).toBe('UNAUTHENTICATED');
      expect(body.data ?? null).toBeNull();
      expectNoInternals(body);
    }
    const response = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${ADMIN_TOKEN}` }, body: JSON.stringify({ query: '{ users { totalCount } }' }) });
    const body = (await response.json()) as any;
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a mutation without a token: UNAUTHENTICATED, nothing written', async () => {
    const body = await t.request(MUTATIONS[0]![1], {}, null);
    expect(codeOf(body)).toBe('UNAUTHENTICATED');
    expect(await cypher(t, `MATCH (u:User {externalId: 'zz'}) RETURN u`)).toEqual([]);
  });

  it('accepts the bootstrap ADMIN_TOKEN as an admin', async () => {
    const body = await t.request(`{ users(first: 1) { totalCount } }`);
    expect(body.errors).toBeUndefined();
    expect((body.data as any).users.totalCount).toBe(6);
  });

  it('createApiToken returns the secret once and stores only its hash', async () => {
    const data = await t.admin(`mutation($u: ID!) { createApiToken(userId: $u, name: "laptop", scopes: ["read", "request"]) { token apiToken { id name scopes createdAt user { id } } } }`, { u: ids.u3 });
    const { token, apiToken } = data.createApiToken;
    expect(token).toMatch(/^age_[A-Za-z0-9_-]{40,}$/);
    expect(apiToken).toMatchObject({ name: 'laptop', scopes: ['read', 'request'], user: { id: ids.u3 } });
    const stored = await cypherOne(t, `MATCH (k:ApiToken {id: $id}) RETURN properties(k) AS props`, { id: apiToken.id });
    expect(JSON.stringify(stored.props)).not.toContain(token);
    expect(JSON.stringify(stored.props)).not.toContain(token.slice(4));
    expect(stored.props.hash).toMatch(/^[0-9a-f]{64}$/);
    // nowhere in the graph does the secret appear
    const { hits } = await cypherOne(t, `MATCH (n) WHERE any(k IN keys(n) WHERE n[k] IS :: STRING AND n[k] CONTAINS $secret) RETURN count(n) AS hits`, { secret: token.slice(4, 24) });
    expect(hits).toBe(0);
    // the token works and acts as its user
    const body = await t.request(`{ viewer { id } }`, {}, token);
    expect((body.data as any).viewer.id).toBe(ids.u3);
  });

  it('refuses unknown scopes, no scopes, and an unknown user', async () => {
    expect(codeOf(await t.request(`mutation($u: ID!) { createApiToken(userId: $u, name: "x", scopes: ["root"]) { token } }`, { u: ids.u3 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.request(`mutation($u: ID!) { createApiToken(userId: $u, name: "x", scopes: []) { token } }`, { u: ids.u3 }))).toBe('BAD_USER_INPUT');
    const ghost = Buffer.from('User:00000000-0000-0000-0000-000000000000').toString('base64');
    expect(codeOf(await t.request(`mutation($u: ID!) { createApiToken(userId: $u, name: "x", scopes: ["read"]) { token } }`, { u: ghost }))).toBe('NOT_FOUND');
  });

  it('revokeApiToken stops the token at once; revoking again keeps the first revocation', async () => {
    const data = await t.admin(`mutation($u: ID!) { createApiToken(userId: $u, name: "temp", scopes: ["read"]) { token apiToken { id } } }`, { u: ids.u4 });
    const { token, apiToken } = data.createApiToken;
    expect((await t.request(`{ viewer { id } }`, {}, token)).errors).toBeUndefined();
    const revoked = await t.admin(`mutation($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }`, { id: apiToken.id });
    expect(revoked.revokeApiToken.revokedAt).toBeTruthy();
    expect(codeOf(await t.request(`{ viewer { id } }`, {}, token))).toBe('UNAUTHENTICATED');
    const again = await t.admin(`mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, { id: apiToken.id });
    expect(again.revokeApiToken.revokedAt).toBe(revoked.revokeApiToken.revokedAt);
    expect(codeOf(await t.request(`mutation { revokeApiToken(id: "00000000-0000-0000-0000-000000000000") { id } }`))).toBe('NOT_FOUND');
  });

  it("a disabled user's token stops working", async () => {
    const token = await tokenFor(t, ids.u5!, ['read']);
    expect((await t.request(`{ viewer { id } }`, {}, token)).errors).toBeUndefined();
    await t.admin(`mutation { upsertUsers(users: [{ externalId: "u5", email: "u5@example.com", displayName: "User 5", managerExternalId: "u0", status: DISABLED }]) { updated } }`);
    expect(codeOf(await t.request(`{ viewer { id } }`, {}, token))).toBe('UNAUTHENTICATED');
    await t.admin(`mutation { upsertUsers(users: [{ externalId: "u5", email: "u5@example.com", displayName: "User 5", managerExternalId: "u0" }]) { updated } }`);
  });
});

describe('roles', () => {
  it('an admin user token with the admin scope can do what the bootstrap token can', async () => {
    const token = await tokenFor(t, ids.u0!, ['read', 'admin'], 'ADMIN');
    const body = await t.request(`mutation { createPolicy(name: "By an admin user", steps: []) { id } }`, {}, token);
    expect(body.errors).toBeUndefined();
    const read = await t.request(`query($id: ID!) { node(id: $id) { ... on User { grants { totalCount } } } }`, { id: ids.u2 }, token);
    expect((read.data as any).node.grants.totalCount).toBe(2);
  });

  it('an AUDITOR reads everything and every mutation is FORBIDDEN, writing nothing', async () => {
    const token = await tokenFor(t, ids.u4!, ['read', 'admin', 'ingest', 'request', 'review', 'provision'], 'AUDITOR');
    const read = await t.request(
      `query($u: ID!, $e: ID!, $p: ID!) {
        users { totalCount } apps { totalCount } entitlements { totalCount } accessProfiles { totalCount } policies { id } safeguardSettings { minMembers }
        u: node(id: $u) { ... on User { role grants { totalCount } memberships { id } } }
        e: node(id: $e) { ... on Entitlement { holders { totalCount } } }
        p: node(id: $p) { ... on AccessProfile { members { totalCount } automation { excludedUsers { id } } } }
      }`,
      { u: ids.u2, e: ids['gh-member'], p: profileId },
      token,
    );
    expect(read.errors).toBeUndefined();
    expect((read.data as any).u.grants.totalCount).toBe(2);
    expect((read.data as any).e.holders.totalCount).toBe(2);
    expect((read.data as any).p.members.totalCount).toBe(1);
    const before = await graphCounts(t);
    for (const [name, query] of MUTATIONS) {
      const body = await t.request(query, varsFor(query), token);
      expect(body.errors?.[0]?.extensions?.code, `${name}: ${JSON.stringify(body)}`).toBe('FORBIDDEN');
      expectNoInternals(body);
    }
    expect(await graphCounts(t)).toEqual(before);
  });

  it('a USER reads their own grants and memberships, and nobody else\'s', async () => {
    const token = await tokenFor(t, ids.u1!, ['read', 'request'], 'USER');
    const own = await t.request(`query($id: ID!) { node(id: $id) { ... on User { role grants { totalCount edges { node { id entitlement { name } sources { type } } } } memberships { id } } } }`, { id: ids.u1 }, token);
    expect(own.errors).toBeUndefined();
    expect((own.data as any).node.grants.totalCount).toBe(2);
    expect((own.data as any).node.memberships).toEqual([{ id: profileId }]);
    const viewer = await t.request(`{ viewer { grants { totalCount } memberships { id } } }`, {}, token);
    expect((viewer.data as any).viewer.grants.totalCount).toBe(2);

    const other = await t.request(`query($id: ID!) { node(id: $id) { ... on User { grants { totalCount } } } }`, { id: ids.u2 }, token);
    expect(codeOf(other)).toBe('FORBIDDEN');
    expectNoInternals(other);
    const otherMemberships = await t.request(`query($id: ID!) { node(id: $id) { ... on User { memberships { id } } } }`, { id: ids.u2 }, token);
    expect(codeOf(otherMemberships)).toBe('FORBIDDEN');
    // a grant of another user, fetched by its id
    const [otherGrant] = await grantIdsOf(ids.u2!);
    const byId = await t.request(`query($id: ID!) { node(id: $id) { id ... on Grant { user { id } } } }`, { id: otherGrant }, token);
    expect(codeOf(byId)).toBe('FORBIDDEN');
    expect(JSON.stringify(byId.data ?? {})).not.toContain(ids.u2!);
    const byIds = await t.request(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [otherGrant] }, token);
    expect(codeOf(byIds)).toBe('FORBIDDEN');
    // the user's own grant by id is fine
    const [ownGrant] = await grantIdsOf(ids.u1!);
    const ownById = await t.request(`query($id: ID!) { node(id: $id) { id } }`, { id: ownGrant }, token);
    expect(ownById.errors).toBeUndefined();
    // who holds what, members and roles of others stay hidden
    expect(codeOf(await t.request(`query($id: ID!) { node(id: $id) { ... on Entitlement { holders { totalCount } } } }`, { id: ids['gh-member'] }, token))).toBe('FORBIDDEN');
    expect(codeOf(await t.request(`query($id: ID!) { node(id: $id) { ... on AccessProfile { members { totalCount } } } }`, { id: profileId }, token))).toBe('FORBIDDEN');
    expect(codeOf(await t.request(`query($id: ID!) { node(id: $id) { ... on User { role } } }`, { id: ids.u2 }, token))).toBe('FORBIDDEN');
    for (const [name, query] of MUTATIONS) expect(codeOf(await t.request(query, varsFor(query), token)), name).toBe('FORBIDDEN');
  });

  it('a token without the read scope cannot read grants or memberships, even its own', async () => {
    const token = await tokenFor(t, ids.u2!, ['request'], 'USER');
    expect(codeOf(await t.request(`{ viewer { grants { totalCount } } }`, {}, token))).toBe('FORBIDDEN');
    expect(codeOf(await t.request(`{ viewer { memberships { id } } }`, {}, token))).toBe('FORBIDDEN');
    const auditor = await tokenFor(t, ids.u3!, ['request'], 'AUDITOR');
    expect(codeOf(await t.request(`query($id: ID!) { node(id: $id) { ... on Entitlement { holders { totalCount } } } }`, { id: ids['gh-member'] }, auditor))).toBe('FORBIDDEN');
  });

  it('an ADMIN role without the admin scope cannot administer', async () => {
    const token = await tokenFor(t, ids.u0!, ['read'], 'ADMIN');
    expect(codeOf(await t.request(`mutation { createPolicy(name: "nope", steps: []) { id } }`, {}, token))).toBe('FORBIDDEN');
    const read = await t.request(`query($id: ID!) { node(id: $id) { ... on User { grants { totalCount } } } }`, { id: ids.u2 }, token);
    expect(read.errors).toBeUndefined();
  });

  it('setUserRole is for admins only and changes what the user may do', async () => {
    const userToken = await tokenFor(t, ids.u3!, ['read', 'admin'], 'USER');
    expect(codeOf(await t.request(`mutation($u: ID!) { setUserRole(userId: $u, role: ADMIN) { id } }`, { u: ids.u3 }, userToken))).toBe('FORBIDDEN');
    expect((await cypherOne(t, `MATCH (u:User {id: $id}) RETURN u.role AS role`, { id: Buffer.from(ids.u3!, 'base64').toString().split(':')[1] })).role).toBe('USER');
    const data = await t.admin(`mutation($u: ID!) { setUserRole(userId: $u, role: AUDITOR) { id role } }`, { u: ids.u3 });
    expect(data.setUserRole).toEqual({ id: ids.u3, role: 'AUDITOR' });
    // the same token now reads what an auditor reads
    const read = await t.request(`query($id: ID!) { node(id: $id) { ... on User { grants { totalCount } } } }`, { id: ids.u2 }, userToken);
    expect(read.errors).toBeUndefined();
    await t.admin(`mutation($u: ID!) { setUserRole(userId: $u, role: USER) { id } }`, { u: ids.u3 });
  });

  it('the ingest scope allows the upserts and nothing else', async () => {
    const token = await tokenFor(t, ids.u0!, ['ingest'], 'USER');
    const ingest = await t.request(`mutation { upsertUsers(users: [{ externalId: "ingested", email: "i@x.example", displayName: "Ingested" }]) { created } }`, {}, token);
    expect(ingest.errors).toBeUndefined();
    expect((ingest.data as any).upsertUsers.created).toBe(1);
    for (const name of ['upsertApps', 'upsertEntitlements', 'upsertGrants']) {
      const query = MUTATIONS.find(([n]) => n === name)![1];
      const body = await t.request(query, {}, token);
      expect(body.errors, name).toBeUndefined();
    }
    for (const [name, query] of MUTATIONS.filter(([n]) => !n.startsWith('upsert'))) {
      expect(codeOf(await t.request(query, varsFor(query), token)), name).toBe('FORBIDDEN');
    }
    expect(codeOf(await t.request(`query($id: ID!) { node(id: $id) { ... on User { grants { totalCount } } } }`, { id: ids.u2 }, token))).toBe('FORBIDDEN');
  });
});

describe('error bodies', () => {
  it('never carry a stack trace or Cypher text, also for unexpected failures', async () => {
    const bodies = [
      await t.request(`{ users(first: 9999999) { totalCount } }`),
      await t.request(`{ nope }`),
      await t.request(`{ users(after: "%%%") { totalCount } }`),
      await t.request(`mutation { upsertGrants(grants: [{ userExternalId: "ghost", entitlementExternalId: "gh-admin" }]) { created } }`),
      await t.request(`query($id: ID!) { node(id: $id) { id } }`, { id: 'garbage' }),
      await t.request(`{ users { totalCount } }`, {}, 'garbage'),
    ];
    for (const body of bodies) {
      expect(body.errors?.length).toBeGreaterThan(0);
      expectNoInternals(body);
      for (const error of body.errors!) {
        expect(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'CONFLICT', 'SAFEGUARD_PAUSED', 'INTERNAL']).toContain(error.extensions?.code);
        expect(Object.keys(error.extensions ?? {})).not.toContain('stacktrace');
        expect(Object.keys(error.extensions ?? {})).not.toContain('originalError');
      }
    }
  });
});

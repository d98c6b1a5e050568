/**
 * Injection and bad input (issue 7, item 5): hostile strings through every string input of the
 * ingest, profile, policy and token mutations and of the lookups; each is stored verbatim (read
 * back equal) or refused with BAD_USER_INPUT, the graph changes exactly as with a benign value
 * (or not at all), and no error carries a stack, Cypher text or driver error.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cypherRegistry } from '../../src/db/cypher.js';
import { resetGraph, startTestApp, type GraphQLResponse, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg } from '../helpers/fixtures.js';
import { expectNoLeak } from '../helpers/security-client.js';
import { HOSTILE_STRINGS, delta, fingerprint, type Fingerprint } from '../helpers/security-hostile.js';

let t: TestApp;
let userId: string;
let profileId: string;
let key = 0;
let tokenId: string;
beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, 3, [{ externalId: 'app1', name: 'App 1', entitlements: ['e1', 'e2'] }]);
  userId = await idOf(t, 'user', 'u1');
  const created = await t.admin<{ createAccessProfile: { id: string } }>(`mutation { createAccessProfile(input: { name: "Base" }) { id } }`);
  profileId = created.createAccessProfile.id;
  const token = await t.admin<{ createApiToken: { apiToken: { id: string } } }>(`mutation($u: ID!) { createApiToken(userId: $u, name: "to revoke", scopes: ["read"]) { apiToken { id } } }`, { u: userId });
  tokenId = token.createApiToken.apiToken.id;
});
afterAll(async () => t?.stop());

type Body = GraphQLResponse<Record<string, any>>;
interface Case {
  name: string;
  benign: string;
  /** The codes a refusal may carry; BAD_USER_INPUT unless said. */
  refusedWith?: string[];
  run(value: string, i: number): Promise<Body>;
  /** The stored value as the API reads it back; absent: only the graph's change is checked. */
  readBack?(value: string, i: number, data: Record<string, any>): Promise<unknown>;
}

const q = (query: string, variables: Record<string, unknown>) => t.request<Record<string, any>>(query, variables);
const upsertUsers = (u: Record<string, unknown>) => q(`mutation($u: [UserInput!]!) { upsertUsers(users: $u) { created } }`, { u: [u] });
const upsertApps = (a: Record<string, unknown>) => q(`mutation($a: [AppInput!]!) { upsertApps(apps: $a) { created } }`, { a: [a] });
const upsertEntitlements = (e: Record<string, unknown>) => q(`mutation($e: [EntitlementInput!]!) { upsertEntitlements(entitlements: $e) { created } }`, { e: [e] });
const user = async (externalId: string) =>
  (await q(`query($x: String!) { userByExternalId(externalId: $x) { externalId email displayName manager { externalId } grants { edges { node { entitlement { externalId } } } } } }`, { x: externalId })).data?.userByExternalId;
const app = async (externalId: string) => (await q(`query($x: String!) { appByExternalId(externalId: $x) { externalId name owners { externalId } } }`, { x: externalId })).data?.appByExternalId;
const entitlement = async (externalId: string) =>
  (await q(`query($x: String!) { entitlementByExternalId(externalId: $x) { externalId name app { externalId } } }`, { x: externalId })).data?.entitlementByExternalId;
const profile = async (id: string) => (await q(`query($id: ID!) { node(id: $id) { ... on AccessProfile { name description } } }`, { id })).data?.node;

const cases: Case[] = [
  { name: 'UserInput.externalId', benign: 'plain-user', run: (v, i) => upsertUsers({ externalId: v, email: `x${i}@example.com`, displayName: 'X' }), readBack: async (v) => (await user(v))?.externalId },
  { name: 'UserInput.displayName', benign: 'Plain Name', run: (v, i) => upsertUsers({ externalId: `dn${i}`, email: `x${i}@example.com`, displayName: v }), readBack: async (_v, i) => (await user(`dn${i}`))?.displayName },
  { name: 'UserInput.email', benign: 'plain@example.com', run: (v, i) => upsertUsers({ externalId: `em${i}`, email: v, displayName: 'X' }), readBack: async (_v, i) => (await user(`em${i}`))?.email },
  { name: 'UserInput.managerExternalId', benign: 'u0', run: (v, i) => upsertUsers({ externalId: `mg${i}`, email: `x${i}@example.com`, displayName: 'X', managerExternalId: v }), readBack: async (_v, i) => (await user(`mg${i}`))?.manager?.externalId },
  { name: 'AppInput.externalId', benign: 'plain-app', run: (v) => upsertApps({ externalId: v, name: 'A' }), readBack: async (v) => (await app(v))?.externalId },
  { name: 'AppInput.name', benign: 'Plain App', run: (v, i) => upsertApps({ externalId: `an${i}`, name: v }), readBack: async (_v, i) => (await app(`an${i}`))?.name },
  { name: 'AppInput.ownerExternalIds', benign: 'u0', run: (v, i) => upsertApps({ externalId: `ao${i}`, name: 'A', ownerExternalIds: [v] }), readBack: async (_v, i) => (await app(`ao${i}`))?.owners?.[0]?.externalId },
  { name: 'EntitlementInput.externalId', benign: 'plain-ent', run: (v) => upsertEntitlements({ externalId: v, appExternalId: 'app1', name: 'E' }), readBack: async (v) => (await entitlement(v))?.externalId },
  { name: 'EntitlementInput.name', benign: 'Plain Ent', run: (v, i) => upsertEntitlements({ externalId: `en${i}`, appExternalId: 'app1', name: v }), readBack: async (_v, i) => (await entitlement(`en${i}`))?.name },
  { name: 'EntitlementInput.appExternalId', benign: 'app1', run: (v, i) => upsertEntitlements({ externalId: `ea${i}`, appExternalId: v, name: 'E' }), readBack: async (_v, i) => (await entitlement(`ea${i}`))?.app?.externalId },
  { name: 'EntitlementInput.requestPolicyId', benign: '', run: (v, i) => upsertEntitlements({ externalId: `ep${i}`, appExternalId: 'app1', name: 'E', requestPolicyId: v || null }) },
  { name: 'GrantInput.userExternalId', benign: 'u1', run: (v) => q(`mutation($g: [GrantInput!]!) { upsertGrants(grants: $g) { created } }`, { g: [{ userExternalId: v, entitlementExternalId: 'e1' }] }) },
  { name: 'GrantInput.entitlementExternalId', benign: 'e2', run: (v) => q(`mutation($g: [GrantInput!]!) { upsertGrants(grants: $g) { created } }`, { g: [{ userExternalId: 'u0', entitlementExternalId: v }] }) },
  {
    // The batch lists the grant it replaces for, so a success changes nothing (e2 was granted to u0 above).
    name: 'upsertGrants.replaceForEntitlements',
    benign: 'e2',
    run: (v) => q(`mutation($g: [GrantInput!]!, $r: [String!]) { upsertGrants(grants: $g, replaceForEntitlements: $r) { created } }`, { g: [{ userExternalId: 'u0', entitlementExternalId: v }], r: [v] }),
  },
  {
    name: 'createPolicy.name',
    benign: 'Plain Policy',
    run: (v) => q(`mutation($n: String!) { createPolicy(name: $n, steps: [{ approverType: MANAGER }]) { id name } }`, { n: v }),
    readBack: async (_v, _i, data) => (await q(`query($id: ID!) { node(id: $id) { ... on Policy { name } } }`, { id: data.createPolicy.id })).data?.node?.name,
  },
  { name: 'PolicyStepInput.userIds', benign: '', run: (v) => q(`mutation($u: [ID!]) { createPolicy(name: "P", steps: [{ approverType: USERS, userIds: $u }]) { id } }`, { u: [v || userId] }) },
  {
    name: 'AccessProfileInput.name',
    benign: 'Plain Profile',
    run: (v) => q(`mutation($n: String!) { createAccessProfile(input: { name: $n }) { id } }`, { n: v }),
    readBack: async (_v, _i, data) => (await profile(data.createAccessProfile.id))?.name,
  },
  {
    name: 'AccessProfileInput.description',
    benign: 'A plain description',
    run: (v, i) => q(`mutation($n: String!, $d: String) { createAccessProfile(input: { name: $n, description: $d }) { id } }`, { n: `pd${i}`, d: v }),
    readBack: async (_v, _i, data) => (await profile(data.createAccessProfile.id))?.description,
  },
  { name: 'AccessProfileInput.enrollmentPolicyId', benign: '', run: (v, i) => q(`mutation($n: String!, $p: ID) { createAccessProfile(input: { name: $n, enrollmentPolicyId: $p }) { id } }`, { n: `pp${i}`, p: v || null }) },
  {
    name: 'updateAccessProfile.description',
    benign: 'Updated description',
    run: (v) => q(`mutation($id: ID!, $d: String) { updateAccessProfile(id: $id, input: { name: "Base", description: $d }) { id } }`, { id: profileId, d: v }),
    readBack: async () => (await profile(profileId))?.description,
  },
  { name: 'updateAccessProfile.id', benign: '', run: (v) => q(`mutation($id: ID!) { updateAccessProfile(id: $id, input: { name: "Base" }) { id } }`, { id: v || profileId }) },
  { name: 'addProfileItems.entitlementIds', benign: '', run: (v) => q(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e, requestForMembers: false) { id } }`, { p: profileId, e: v ? [v] : [] }) },
  { name: 'removeProfileItems.profileId', benign: '', run: (v) => q(`mutation($p: ID!) { removeProfileItems(profileId: $p, entitlementIds: []) { id } }`, { p: v || profileId }) },
  {
    name: 'MembershipAutomationInput.conditionEntitlementIds',
    benign: '',
    run: (v) => q(`mutation($p: ID!, $c: [ID!]!) { setMembershipAutomation(profileId: $p, input: { enabled: false, mode: SYNC_MEMBERS_ONLY, conditionEntitlementIds: $c }) { id } }`, { p: profileId, c: v ? [v] : [] }),
  },
  {
    name: 'MembershipAutomationInput.excludedUserIds',
    benign: '',
    run: (v) => q(`mutation($p: ID!, $x: [ID!]) { setMembershipAutomation(profileId: $p, input: { enabled: false, mode: SYNC_MEMBERS_ONLY, conditionEntitlementIds: [], excludedUserIds: $x }) { id } }`, { p: profileId, x: v ? [v] : [] }),
  },
  {
    name: 'createApiToken.name',
    benign: 'plain token',
    run: (v) => q(`mutation($u: ID!, $n: String!) { createApiToken(userId: $u, name: $n, scopes: ["read"]) { apiToken { name } } }`, { u: userId, n: v }),
    readBack: async (_v, _i, data) => data.createApiToken.apiToken.name,
  },
  { name: 'createApiToken.scopes', benign: 'read', run: (v) => q(`mutation($u: ID!, $s: [String!]!) { createApiToken(userId: $u, name: "t", scopes: $s) { apiToken { id } } }`, { u: userId, s: [v] }) },
  { name: 'createApiToken.userId', benign: '', run: (v) => q(`mutation($u: ID!) { createApiToken(userId: $u, name: "t", scopes: ["read"]) { apiToken { id } } }`, { u: v || userId }) },
  { name: 'setUserRole.userId', benign: '', run: (v) => q(`mutation($u: ID!) { setUserRole(userId: $u, role: USER) { id } }`, { u: v || userId }) },
  // Token ids are not global ids: an unknown one is NOT_FOUND, which changes nothing either.
  { name: 'revokeApiToken.id', benign: '', refusedWith: ['BAD_USER_INPUT', 'NOT_FOUND'], run: (v) => q(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: v || tokenId }) },
  { name: 'Query.users.search', benign: 'User', run: (v) => q(`query($s: String) { users(search: $s) { totalCount } }`, { s: v }) },
  { name: 'Query.entitlements.search', benign: 'e', run: (v) => q(`query($s: String) { entitlements(search: $s) { totalCount } }`, { s: v }) },
  { name: 'Query.users.after', benign: '', run: (v) => q(`query($a: String) { users(after: $a) { totalCount } }`, { a: v || null }) },
  { name: 'Query.userByExternalId', benign: 'u0', run: (v) => q(`query($x: String!) { userByExternalId(externalId: $x) { id } }`, { x: v }) },
  { name: 'Query.node', benign: '', run: (v) => q(`query($id: ID!) { node(id: $id) { id } }`, { id: v || userId }) },
  { name: 'Query.nodes', benign: '', run: (v) => q(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [v || userId] }) },
  { name: 'Query.tasks.userId', benign: '', run: (v) => q(`query($u: ID) { tasks(userId: $u) { totalCount } }`, { u: v || userId }) },
];

const totals = { tried: 0, stored: 0, refused: 0 };

describe('hostile strings through every string input', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s: each is stored verbatim or refused with BAD_USER_INPUT, changes the graph only as a benign value would, and leaks nothing', async (_name, c) => {
    // The benign run gives the change the operation makes when it succeeds.
    const before = await fingerprint(t.app);
    const benign = await c.run(c.benign, (key += 1));
    expect(benign.errors, `the benign value fails: ${JSON.stringify(benign.errors)?.slice(0, 300)}`).toBeUndefined();
    const expected: Fingerprint = delta(before, await fingerprint(t.app));
    const problems: string[] = [];
    for (const hostile of HOSTILE_STRINGS) {
      totals.tried += 1;
      const i = (key += 1);
      const start = await fingerprint(t.app);
      const body = await c.run(hostile.value, i);
      const change = delta(start, await fingerprint(t.app));
      const label = `${c.name} <- ${hostile.name}`;
      try {
        expectNoLeak(body.errors, [hostile.value]);
        if (body.errors?.length) {
          totals.refused += 1;
          for (const error of body.errors) expect(c.refusedWith ?? ['BAD_USER_INPUT'], `${label}: ${error.message.slice(0, 200)}`).toContain(error.extensions?.code);
          expect(change, `${label}: a refused input changed the graph`).toEqual({});
        } else {
          totals.stored += 1;
          if (c.readBack) expect((await c.readBack(hostile.value, i, body.data ?? {})) === hostile.value, `${label}: not read back verbatim`).toBe(true);
          expect(change, `${label}: changed the graph unlike a benign value`).toEqual(expected);
        }
      } catch (error) {
        problems.push((error as Error).message.split('\n')[0]!);
      }
    }
    expect(problems).toEqual([]);
  });

  it('left the rest of the graph as it was', async () => {
    expect((await fingerprint(t.app)).pwned).toBe(0);
    expect((await user('u0'))?.displayName).toBe('User 0');
    expect((await app('app1'))?.name).toBe('App 1');
    expect(totals.tried).toBe(cases.length * HOSTILE_STRINGS.length);
    console.log(`hostile inputs tried: ${totals.tried} (${cases.length} inputs x ${HOSTILE_STRINGS.length} strings): stored verbatim ${totals.stored}, refused ${totals.refused} (BAD_USER_INPUT; NOT_FOUND for unknown token ids)`);
  });
});

describe('Cypher comes from cypher/ only', () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
    });

  it('every statement the code runs is named in the registry; only the database seam and migrations run text', () => {
    const names = new Set(cypherRegistry().names());
    const offenders: string[] = [];
    let checked = 0;
    for (const file of sources('src')) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\b(?:tx|transaction)\.(?:run|one)(?:<[^>]*>)?\(\s*(['"`])([^'"`]*)\1/g)) {
        checked += 1;
        if (!names.has(match[2]!)) offenders.push(`${file}: ${match[2]}`);
      }
      // Raw driver calls outside the seam (src/db) would bypass the registry.
      if (!file.startsWith(join('src', 'db')) && /\b(?:session|driver)\.(?:run|executeQuery)\(/.test(text)) offenders.push(`${file}: runs the driver directly`);
      // Statement text built from input: a template literal with a Cypher keyword and an interpolation.
      for (const match of text.matchAll(/`[^`]*\b(?:MATCH|MERGE|CREATE|DELETE|SET)\b[^`]*\$\{[^`]*`/g)) offenders.push(`${file}: Cypher built in code: ${match[0].slice(0, 80)}`);
    }
    expect(offenders).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });

  it('no statement in cypher/ splices text: parameters only', () => {
    const registry = cypherRegistry();
    for (const name of registry.names()) {
      const text = registry.get(name);
      expect(text.trimStart().startsWith('//'), `${name} starts with a comment`).toBe(true);
      expect(text, `${name} uses apoc dynamic Cypher`).not.toMatch(/apoc\.cypher\.(run|doIt)|apoc\.create\.(node|relationship|addLabels)/);
    }
  });
});

/**
 * The batching bound: nested reads go through DataLoader, so a page of parents with their nested
 * lists runs a fixed number of Cypher statements, the same for 10 parents as for 100.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quiescent, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { seedGrant } from '../helpers/foundation-graph.js';

let t: TestApp;

const USERS = 100;
const PROFILES = 50;

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await t.admin(`mutation($u: [UserInput!]!) { upsertUsers(users: $u) { created } }`, {
    u: Array.from({ length: USERS }, (_, i) => ({ externalId: `u${i}`, email: `u${i}@example.com`, displayName: `User ${i}`, managerExternalId: i === 0 ? null : 'u0' })),
  });
  await t.admin(`mutation($a: [AppInput!]!) { upsertApps(apps: $a) { created } }`, {
    a: ['code', 'cloud', 'chat'].map((a) => ({ externalId: a, name: a, ownerExternalIds: ['u0'] })),
  });
  const entitlements = ['code', 'cloud', 'chat'].flatMap((a) => [1, 2, 3].map((n) => ({ externalId: `${a}-${n}`, appExternalId: a, name: `${a} ${n}` })));
  await t.admin(`mutation($e: [EntitlementInput!]!) { upsertEntitlements(entitlements: $e) { created } }`, { e: entitlements });
  // every user holds 3 entitlements, spread over the apps
  await t.admin(`mutation($g: [GrantInput!]!) { upsertGrants(grants: $g) { created } }`, {
    g: Array.from({ length: USERS }, (_, i) => [0, 3, 6].map((k) => ({ userExternalId: `u${i}`, entitlementExternalId: entitlements[(i + k) % entitlements.length]!.externalId }))).flat(),
  });
  const entitlementIds = (await t.admin(`{ entitlements(first: 100) { edges { node { id } } } }`)).entitlements.edges.map((e: any) => e.node.id);
  const userIds = (await t.admin(`{ users(first: 100) { edges { node { id } } } }`)).users.edges.map((e: any) => e.node.id);
  for (let p = 0; p < PROFILES; p++) {
    const profile = (await t.admin(`mutation($n: String!) { createAccessProfile(input: { name: $n }) { id enrollmentEntitlement { id } } }`, { n: `Profile ${p}` })).createAccessProfile;
    await t.admin(`mutation($id: ID!, $e: [ID!]!) { addProfileItems(profileId: $id, entitlementIds: $e, requestForMembers: false) { id } }`, {
      id: profile.id,
      e: [0, 1, 2].map((k) => entitlementIds[(p + k) % entitlementIds.length]),
    });
    for (let m = 0; m < 3; m++) await seedGrant(t, userIds[(p * 2 + m) % USERS], profile.enrollmentEntitlement.id, { enrolledVia: 'MANUAL' });
  }
  // Let the work that follows ingest (the sync follows holder changes) finish before counting.
  await quiescent(t);
}, 240_000);
afterAll(async () => t?.stop());

/** Statements the directory's reads ran while `work` ran (other capabilities' background work aside). */
async function statementsDuring(work: () => Promise<unknown>): Promise<{ total: number; byName: Record<string, number> }> {
  const db = t.app.services.db;
  const before = new Map(db.statementCounts);
  await work();
  const byName: Record<string, number> = {};
  for (const [name, count] of db.statementCounts) {
    const delta = count - (before.get(name) ?? 0);
    if (delta > 0 && /^(directory|profiles|policies|settings)\//.test(name)) byName[name] = delta;
  }
  return { total: Object.values(byName).reduce((a, b) => a + b, 0), byName };
}

/**
 * No statement kind for many parents that few parents did not need, each run at most twice (a loader may run again
 * for ids that a later level of the query discovers, e.g. profiles reached through includedIn),
 * and a small total whatever the number of rows.
 */
function expectSameBound(small: { total: number; byName: Record<string, number> }, large: { total: number; byName: Record<string, number> }, bound: number): void {
  const shown = JSON.stringify({ small: small.byName, large: large.byName });
  // the kinds of statement do not grow with the rows (a loader can be skipped when priming covered it)
  for (const name of Object.keys(large.byName)) expect(Object.keys(small.byName), shown).toContain(name);
  for (const count of [...Object.values(small.byName), ...Object.values(large.byName)]) expect(count, shown).toBeLessThanOrEqual(2);
  expect(small.total).toBeLessThanOrEqual(bound);
  expect(large.total).toBeLessThanOrEqual(bound);
}

const USERS_WITH_GRANTS = `query($n: Int!) { users(first: $n) { totalCount edges { node { id displayName manager { displayName }
  grants(first: 10) { totalCount edges { node { id grantedAt sources { type } justifiedBy { id } entitlement { id name app { id name owners { id } } } } } } } } } }`;

const PROFILES_WITH_ITEMS_AND_MEMBERS = `query($n: Int!) { accessProfiles(first: $n) { totalCount edges { node { id name
  enrollmentEntitlement { id name } exclusionEntitlement { id }
  items { id name app { name } includedIn { id } }
  members(first: 10) { totalCount edges { node { id displayName manager { id } } } }
  automation { condition { id } excludedUsers { id } } } } } }`;

describe('nested reads are batched', () => {
  it('100 users with their grants, entitlements and apps run the same few statements as 10', async () => {
    const small = await statementsDuring(async () => {
      const data = await t.admin(USERS_WITH_GRANTS, { n: 10 });
      expect(data.users.edges).toHaveLength(10);
    });
    const large = await statementsDuring(async () => {
      const data = await t.admin(USERS_WITH_GRANTS, { n: 100 });
      expect(data.users.edges).toHaveLength(USERS);
      const grants = data.users.edges.flatMap((e: any) => e.node.grants.edges);
      // three ingested grants each, plus the enrollment grants of the profiles' members
      expect(grants).toHaveLength(USERS * 3 + PROFILES * 3);
      expect(grants.filter((g: any) => g.node.entitlement.app?.name)).toHaveLength(USERS * 3);
    });
    expectSameBound(small, large, 12);
  });

  it('50 profiles with their items and members run the same few statements as 10', async () => {
    const small = await statementsDuring(async () => {
      const data = await t.admin(PROFILES_WITH_ITEMS_AND_MEMBERS, { n: 10 });
      expect(data.accessProfiles.edges).toHaveLength(10);
    });
    const large = await statementsDuring(async () => {
      const data = await t.admin(PROFILES_WITH_ITEMS_AND_MEMBERS, { n: PROFILES });
      expect(data.accessProfiles.edges).toHaveLength(PROFILES);
      for (const edge of data.accessProfiles.edges) {
        expect(edge.node.items).toHaveLength(3);
        expect(edge.node.members.totalCount).toBe(3);
      }
    });
    expectSameBound(small, large, 14);
  });

  it('node lookups of many ids share one statement per type', async () => {
    const ids = (await t.admin(`{ users(first: 100) { edges { node { id } } } }`)).users.edges.map((e: any) => e.node.id);
    const { byName } = await statementsDuring(() => t.admin(`query($ids: [ID!]!) { nodes(ids: $ids) { id ... on User { manager { id } } } }`, { ids }));
    expect(byName).toEqual({ 'directory/users-by-id': 1 });
  });
});

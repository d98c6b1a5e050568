/**
 * Each mutation is one transaction: when its last statement fails, nothing of it stays. The
 * failure is injected into the real statement run on Neo4j (the statement that creates the
 * members' tasks), after the mutation's own change has been written in the same transaction.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Tx } from '../../src/db/database.js';
import { resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg } from '../helpers/fixtures.js';
import { createProfile, cypher, grant, seedMembers, SET_AUTOMATION } from '../helpers/sync-seed.js';

let t: TestApp;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, 3, [{ externalId: 'crm', name: 'CRM', entitlements: ['crm-user', 'crm-reports'] }]);
  for (const e of ['crm-user', 'crm-reports']) ids[e] = await idOf(t, 'entitlement', e);
  for (const u of ['u1', 'u2']) ids[u] = await idOf(t, 'user', u);
});

afterEach(() => vi.restoreAllMocks());
afterAll(async () => t?.stop());

/** Makes every run of the named statement fail, as a lost connection would. */
function failStatement(name: string): void {
  const run = Tx.prototype.run;
  vi.spyOn(Tx.prototype, 'run').mockImplementation(function (this: Tx, statement, params) {
    if (statement === name) return Promise.reject(new Error(`injected failure of ${name}`));
    return run.call(this, statement, params) as never;
  });
}

const itemsOf = async (raw: string) =>
  (await cypher<{ items: string[] }>(t, `MATCH (p:AccessProfile {id: $p}) OPTIONAL MATCH (p)-[:INCLUDES]->(e) RETURN collect(e.externalId) AS items`, { p: raw }))[0]!.items.sort();
const taskCount = async () => (await cypher<{ n: number }>(t, `MATCH (x:Task) RETURN count(x) AS n`))[0]!.n;

describe('one mutation, one transaction', () => {
  it('addProfileItems: when the members\' grant tasks fail, the items are not stored either', async () => {
    const profile = await createProfile(t, 'Atomic add');
    await seedMembers(t, profile.raw, ['u1', 'u2']);
    const tasksBefore = await taskCount();
    failStatement('tasks/create-tasks');
    const body = await t.request(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: profile.id, e: [ids['crm-user']] });
    expect(body.errors?.[0]?.extensions?.code).toBe('INTERNAL');
    expect(JSON.stringify(body)).not.toContain('injected');
    vi.restoreAllMocks();
    expect(await itemsOf(profile.raw)).toEqual([]);
    expect(await taskCount()).toBe(tasksBefore);
    // Without the failure, the same call stores the items and asks for the members' grants.
    await t.admin(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: profile.id, e: [ids['crm-user']] });
    expect(await itemsOf(profile.raw)).toEqual(['crm-user']);
    expect(await taskCount()).toBe(tasksBefore + 2);
  });

  it('removeProfileItems: when the members\' revoke tasks fail, the items stay', async () => {
    const profile = await createProfile(t, 'Atomic remove', { unenrollmentAction: 'REVOKE_ALL' });
    await t.admin(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e, requestForMembers: false) { id } }`, { p: profile.id, e: [ids['crm-reports']] });
    await seedMembers(t, profile.raw, ['u1']);
    await grant(t, [['u1', 'crm-reports']]);
    // The grant lists the profile as its source, as the profile's fan-out would have made it.
    await cypher(t, `MATCH (:User {externalId: 'u1'})-[:HOLDS]->(g:Grant)-[:OF]->(:Entitlement {externalId: 'crm-reports'}), (p:AccessProfile {id: $p}) MERGE (g)-[:FROM_PROFILE]->(p)`, {
      p: profile.raw,
    });
    const tasksBefore = await taskCount();
    failStatement('tasks/create-tasks');
    const body = await t.request(`mutation($p: ID!, $e: [ID!]!) { removeProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: profile.id, e: [ids['crm-reports']] });
    expect(body.errors?.[0]?.extensions?.code).toBe('INTERNAL');
    vi.restoreAllMocks();
    expect(await itemsOf(profile.raw)).toEqual(['crm-reports']);
    expect(await taskCount()).toBe(tasksBefore);
    await t.admin(`mutation($p: ID!, $e: [ID!]!) { removeProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: profile.id, e: [ids['crm-reports']] });
    expect(await itemsOf(profile.raw)).toEqual([]);
    expect(await taskCount()).toBe(tasksBefore + 1);
  });

  it('setMembershipAutomation: when the exclusion tasks fail, the automation is not saved', async () => {
    const profile = await createProfile(t, 'Atomic automation');
    failStatement('tasks/create-tasks');
    const body = await t.request(SET_AUTOMATION, {
      p: profile.id,
      i: { enabled: false, mode: 'SYNC_MEMBERS_ONLY', conditionEntitlementIds: [ids['crm-user']], excludedUserIds: [ids.u2] },
    });
    expect(body.errors?.[0]?.extensions?.code).toBe('INTERNAL');
    vi.restoreAllMocks();
    const data = await t.admin(`query($id: ID!) { node(id: $id) { ... on AccessProfile { automation { mode condition { id } excludedUsers { id } } } } }`, { id: profile.id });
    expect(data.node.automation).toEqual({ mode: 'SYNC_MEMBERS_AND_ACCESS', condition: [], excludedUsers: [] });
  });
});

/**
 * The automation's two modes, end to end: SYNC_MEMBERS_ONLY keeps the member list right and
 * changes no access (no item grants on enrollment, no item revocations on unenrollment), while
 * SYNC_MEMBERS_AND_ACCESS fans out to the items and takes them back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg } from '../helpers/fixtures.js';
import { createProfile, cypher, grant, setAutomation } from '../helpers/sync-seed.js';

let t: TestApp;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, 4, [
    { externalId: 'idp', name: 'IdP', entitlements: ['group-a', 'group-b'] },
    { externalId: 'crm', name: 'CRM', entitlements: ['crm-user', 'crm-reports'] },
  ]);
  for (const e of ['group-a', 'group-b', 'crm-user', 'crm-reports']) ids[e] = await idOf(t, 'entitlement', e);
  ids.auto = (await t.admin(`mutation { createPolicy(name: "auto", steps: []) { id } }`)).createPolicy.id;
});

afterAll(async () => t?.stop());

/** Item grants (entitlement external ids) each user holds, and open item tasks, for one profile. */
async function accessOf(profileRaw: string) {
  const grants = await cypher<{ user: string; items: string[] }>(
    t,
    `MATCH (p:AccessProfile {id: $p})-[:INCLUDES]->(e:Entitlement)<-[:OF]-(:Grant)<-[:HOLDS]-(u:User)
     RETURN u.externalId AS user, collect(e.externalId) AS items ORDER BY user`,
    { p: profileRaw },
  );
  const itemTasks = await cypher<{ n: number }>(
    t,
    `MATCH (t:Task)-[:VIA_PROFILE]->(:AccessProfile {id: $p}) WHERE t.origin IN ['PROFILE_ENROLLMENT', 'PROFILE_UNENROLLMENT'] RETURN count(t) AS n`,
    { p: profileRaw },
  );
  return { grants: Object.fromEntries(grants.map((g) => [g.user, g.items.sort()])), itemTasks: itemTasks[0]!.n };
}

async function membersOf(profileId: string): Promise<number> {
  const data = await t.admin(`query($id: ID!) { node(id: $id) { ... on AccessProfile { members(first: 0) { totalCount } } } }`, { id: profileId });
  return data.node.members.totalCount;
}

describe('automation modes', () => {
  it('SYNC_MEMBERS_ONLY enrolls and unenrolls members without touching their access', async () => {
    const profile = await createProfile(t, 'Members only', { enrollmentPolicyId: ids.auto, unenrollmentPolicyId: ids.auto, bypassItemRequestPolicies: true, unenrollmentAction: 'REVOKE_ALL' });
    await t.admin(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: profile.id, e: [ids['crm-user']] });
    await grant(t, [['u1', 'group-a'], ['u2', 'group-a']]);

    await setAutomation(t, profile.id, { enabled: true, mode: 'SYNC_MEMBERS_ONLY', conditionEntitlementIds: [ids['group-a']!] });
    expect(await membersOf(profile.id)).toBe(2);
    expect(await accessOf(profile.raw)).toEqual({ grants: {}, itemTasks: 0 });

    await grant(t, [['u2', 'group-a']], ['group-a']); // u1 stops matching
    expect(await membersOf(profile.id)).toBe(1);
    expect(await accessOf(profile.raw)).toEqual({ grants: {}, itemTasks: 0 });
  });

  it('SYNC_MEMBERS_AND_ACCESS grants the items on enrollment and revokes them on unenrollment', async () => {
    const profile = await createProfile(t, 'Members and access', { enrollmentPolicyId: ids.auto, unenrollmentPolicyId: ids.auto, bypassItemRequestPolicies: true, bypassItemRevokePolicies: true, unenrollmentAction: 'REVOKE_ALL' });
    await t.admin(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: profile.id, e: [ids['crm-reports']] });
    await grant(t, [['u1', 'group-b'], ['u3', 'group-b']]);

    await setAutomation(t, profile.id, { enabled: true, mode: 'SYNC_MEMBERS_AND_ACCESS', conditionEntitlementIds: [ids['group-b']!] });
    expect(await membersOf(profile.id)).toBe(2);
    expect((await accessOf(profile.raw)).grants).toEqual({ u1: ['crm-reports'], u3: ['crm-reports'] });

    await grant(t, [['u3', 'group-b']], ['group-b']); // u1 stops matching
    expect(await membersOf(profile.id)).toBe(1);
    expect((await accessOf(profile.raw)).grants).toEqual({ u3: ['crm-reports'] });
  });
});

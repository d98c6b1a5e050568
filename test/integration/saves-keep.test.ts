/**
 * Saving keeps what you left out: setMembershipAutomation changes only the fields it is given, a
 * list given as null is emptied, a flag given as null is refused with nothing changed; and the
 * what-if of a change merges the same way, so it predicts what saving it does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawIdOf } from '../../src/ids.js';
import { codesOf, quiescent, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg } from '../helpers/fixtures.js';
import { createProfile, grant, openTasks, SET_AUTOMATION, setAutomation } from '../helpers/sync-seed.js';

let t: TestApp;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, 6, [{ externalId: 'idp', name: 'IdP', entitlements: ['sales'] }]);
  ids.sales = await idOf(t, 'entitlement', 'sales');
  for (const u of ['u1', 'u2', 'u3', 'u4']) ids[u] = await idOf(t, 'user', u);
  await grant(t, [['u1', 'sales'], ['u2', 'sales'], ['u3', 'sales'], ['u4', 'sales']]);
});
afterAll(async () => t?.stop());

const AUTOMATION = `query($id: ID!) { node(id: $id) { ... on AccessProfile { automation { enabled mode pauseOnAnomalies condition { id } excludedUsers { id } } } } }`;
const automationOf = async (id: string) => (await t.admin(AUTOMATION, { id })).node.automation;
const WHAT_IF = `query($p: ID!, $x: AutomationProposalInput) { whatIfMembershipAutomation(profileId: $p, proposal: $x) { toEnrollCount toUnenrollCount wouldPause } }`;

describe('setMembershipAutomation keeps what it is not given', () => {
  it('a mode-only save keeps the exclusions and the safeguard switch, asks for nobody excluded, and the what-if said so', async () => {
    const p = await createProfile(t, 'Keeps');
    await setAutomation(t, p.id, { enabled: true, conditionEntitlementIds: [ids.sales!], excludedUserIds: [ids.u3!, ids.u4!], pauseOnAnomalies: false });
    await quiescent(t);
    const before = await automationOf(p.id);
    expect(before.excludedUsers.map((u: { id: string }) => u.id).sort()).toEqual([ids.u3, ids.u4].sort());
    const enrollment = rawIdOf('Entitlement', p.enrollmentEntitlementId);
    const enrollTasks = await openTasks(t, enrollment, 'GRANT');
    expect(enrollTasks).toEqual(['u1', 'u2']);

    const predicted = (await t.admin(WHAT_IF, { p: p.id, x: { mode: 'SYNC_MEMBERS_ONLY' } })).whatIfMembershipAutomation;
    expect(predicted).toEqual({ toEnrollCount: 0, toUnenrollCount: 0, wouldPause: false });

    await t.admin(SET_AUTOMATION, { p: p.id, i: { mode: 'SYNC_MEMBERS_ONLY' } });
    await quiescent(t);
    const after = await automationOf(p.id);
    expect(after).toEqual({ ...before, mode: 'SYNC_MEMBERS_ONLY' });
    // Nobody excluded was asked for again; the enrollment tasks are those there were.
    expect(await openTasks(t, enrollment, 'GRANT')).toEqual(enrollTasks);
  });

  it('a list given as null is emptied; a flag given as null is refused and nothing changes', async () => {
    const p = await createProfile(t, 'Clears');
    await setAutomation(t, p.id, { enabled: false, conditionEntitlementIds: [ids.sales!], excludedUserIds: [ids.u1!], pauseOnAnomalies: false });
    const before = await automationOf(p.id);

    const refused = await t.request(SET_AUTOMATION, { p: p.id, i: { pauseOnAnomalies: null, excludedUserIds: null } });
    expect(codesOf(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors?.[0]?.message).toMatch(/pauseOnAnomalies cannot be null/);
    expect(await automationOf(p.id)).toEqual(before);

    await t.admin(SET_AUTOMATION, { p: p.id, i: { excludedUserIds: null } });
    expect(await automationOf(p.id)).toEqual({ ...before, excludedUsers: [] });
  });

  it('an enabled automation still needs a condition, whether given now or saved before', async () => {
    const p = await createProfile(t, 'Needs a condition');
    expect(codesOf(await t.request(SET_AUTOMATION, { p: p.id, i: { enabled: true } }))).toEqual(['BAD_USER_INPUT']);
    await t.admin(SET_AUTOMATION, { p: p.id, i: { conditionEntitlementIds: [ids.sales] } });
    await t.admin(SET_AUTOMATION, { p: p.id, i: { enabled: true } });
    await quiescent(t);
    expect((await automationOf(p.id)).enabled).toBe(true);
  });
});

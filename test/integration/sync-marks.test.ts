/**
 * The "needs sync" mark: every change a profile's sync depends on marks the profile in its own
 * transaction (condition holders, exclusions and automation, items); a run clears it when it
 * starts; the scheduler syncs marked profiles, and the others only when their full reconciliation
 * is due (SYNC_RECONCILE_SECONDS).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quiescent, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg } from '../helpers/fixtures.js';
import { createProfile, cypher, grant, ingestGrants, SET_AUTOMATION, setAutomation, syncNowDone } from '../helpers/sync-seed.js';

let t: TestApp;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, 4, [{ externalId: 'idp', name: 'IdP', entitlements: ['cond', 'item', 'other'] }]);
  for (const e of ['cond', 'item', 'other']) ids[e] = await idOf(t, 'entitlement', e);
  ids.u2 = await idOf(t, 'user', 'u2');
});
afterAll(async () => t?.stop());

const marked = async (raw: string) => (await cypher<{ m: boolean | null }>(t, `MATCH (p:AccessProfile {id: $p}) RETURN p.syncNeeded AS m`, { p: raw }))[0]!.m;
const unmark = (raw: string) => cypher(t, `MATCH (p:AccessProfile {id: $p}) SET p.syncNeeded = false`, { p: raw });
const scheduled = async (reconcileBeforeMs: number) =>
  (await t.app.services.db.read('test.sync-marks', (tx) => tx.run<{ id: string }>('sync/enabled-profiles', { reconcileBeforeMs }))).map((r) => r.id);

describe('the needs-sync mark', () => {
  it('is set by a change of condition holders, of the automation and exclusions, and of the items', async () => {
    // Automation off: no sync runs to clear the mark.
    const p = await createProfile(t, 'Marked');
    await setAutomation(t, p.id, { enabled: false, conditionEntitlementIds: [ids.cond!] });
    await unmark(p.raw);
    await ingestGrants(t, [['u1', 'other']]);
    expect(await marked(p.raw)).toBe(false); // not a condition of this profile
    await ingestGrants(t, [['u1', 'cond']]);
    expect(await marked(p.raw)).toBe(true);
    await unmark(p.raw);
    await t.admin(SET_AUTOMATION, { p: p.id, i: { excludedUserIds: [ids.u2] } });
    expect(await marked(p.raw)).toBe(true);
    await unmark(p.raw);
    await t.admin(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: p.id, e: [ids.item] });
    expect(await marked(p.raw)).toBe(true);
    await quiescent(t);
  });

  it('is cleared by a run; the scheduler picks marked profiles and those due their reconciliation', async () => {
    const p = await createProfile(t, 'Scheduled');
    await setAutomation(t, p.id, { enabled: true, conditionEntitlementIds: [ids.cond!] });
    await quiescent(t);
    await syncNowDone(t, `mutation($p: ID!) { syncNow(profileId: $p) { id state } }`, p.id);
    expect(await marked(p.raw)).toBe(false);
    // Synced just now, nothing marked: not scheduled until its reconciliation is due.
    expect(await scheduled(Date.now() - 3_600_000)).not.toContain(p.raw);
    expect(await scheduled(Date.now() + 1_000)).toContain(p.raw);
    // A condition holder changes: marked (the holders-changed sync then clears it again).
    await cypher(t, `MATCH (p:AccessProfile {id: $p}) SET p.syncNeeded = true`, { p: p.raw });
    expect(await scheduled(Date.now() - 3_600_000)).toContain(p.raw);
    await grant(t, [['u3', 'cond']]);
    expect(await marked(p.raw)).toBe(false);
  });
});

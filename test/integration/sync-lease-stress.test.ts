/**
 * The lease under pressure: profiles in a chain (an item of one is in the condition of the next,
 * and one profile's item is in its own condition), every policy auto-approved so that each sync
 * fans out into grants that trigger the next profiles' automatic syncs, and "sync now" pressed
 * several times on every profile right after each ingest. Meanwhile the RUNNING runs are sampled.
 * No run may fail for a lost lease, no two runs of one profile may be RUNNING at once, no task or
 * grant may exist twice, and once everything settles each profile has nothing left to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, quiescent, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg } from '../helpers/fixtures.js';
import { createPolicy, createProfile } from '../helpers/workflow.js';
import { cypher, ingestGrants, setAutomation } from '../helpers/sync-seed.js';
import { seededRandom } from '../helpers/random.js';

let t: TestApp;
const USERS = 30;
const ROUNDS = 12;
const SYNC_NOW = `mutation($p: ID!) { syncNow(profileId: $p) { id state } }`;
const PREVIEW = `query($p: ID!) { node(id: $p) { ... on AccessProfile { previewSync { toEnroll { id } toUnenroll { id } } } } }`;

beforeAll(async () => {
  t = await startTestApp({ SYNC_DEBOUNCE_MS: '20' });
  await resetGraph(t.app);
  await ingestOrg(t, USERS, [{ externalId: 'chain', name: 'Chain', entitlements: ['c0', 'c1', 'd0', 'x1', 'x2', 'x3'] }]);
});
afterAll(async () => t?.stop());

describe('many concurrent syncs of chained profiles', () => {
  it('never lose their lease, never run twice at once, never duplicate a task', async () => {
    const auto = await createPolicy(t, 'auto', []);
    const e = Object.fromEntries(await Promise.all(['c0', 'c1', 'd0', 'x1', 'x2', 'x3'].map(async (x) => [x, await idOf(t, 'entitlement', x)] as const)));
    const controls = { enrollmentPolicyId: auto, unenrollmentPolicyId: auto, bypassItemRequestPolicies: true, bypassItemRevokePolicies: true };
    const a = await createProfile(t, { name: 'A', ...controls }, [e.x1!]);
    const b = await createProfile(t, { name: 'B', ...controls }, [e.x2!]);
    const c = await createProfile(t, { name: 'C', ...controls }, [e.x1!]);
    const d = await createProfile(t, { name: 'D', ...controls }, [e.x3!]);
    await setAutomation(t, a.id, { enabled: true, conditionEntitlementIds: [e.c0!], pauseOnAnomalies: false });
    await setAutomation(t, b.id, { enabled: true, conditionEntitlementIds: [e.x1!], pauseOnAnomalies: false });
    await setAutomation(t, c.id, { enabled: true, conditionEntitlementIds: [e.x2!, e.c1!], pauseOnAnomalies: false });
    await setAutomation(t, d.id, { enabled: true, conditionEntitlementIds: [e.d0!, e.x3!], pauseOnAnomalies: false });
    const profiles = [a, b, c, d];

    // The sampler: the RUNNING runs of each profile, as often as Neo4j answers.
    let sampling = true;
    let samples = 0;
    let mostAtOnce = 0;
    const sampler = (async () => {
      while (sampling) {
        const rows = await cypher<{ n: number }>(t, `MATCH (r:SyncRun {state: 'RUNNING'})-[:OF_PROFILE]->(p:AccessProfile) RETURN p.id AS p, count(r) AS n`);
        for (const row of rows) mostAtOnce = Math.max(mostAtOnce, Number(row.n));
        samples += 1;
      }
    })();

    const next = seededRandom(13);
    const pick = () => Array.from({ length: USERS }, (_, i) => `u${i}`).filter(() => next() < 0.4);
    const answers: unknown[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const source = ['c0', 'c1', 'd0'][round % 3]!;
      await ingestGrants(t, pick().map((u) => [u, source] as [string, string]), [source]);
      const presses = profiles.flatMap((p) => [0, 1, 2].map(() => t.request(SYNC_NOW, { p: p.id })));
      answers.push(...(await Promise.all(presses)));
    }
    await quiescent(t);
    sampling = false;
    await sampler;

    const codes = answers.flatMap((body) => codesOf(body as never));
    expect(codes.filter((code) => code !== 'CONFLICT')).toEqual([]);
    expect(answers.length - codes.length, 'some presses ran a sync').toBeGreaterThan(ROUNDS);
    expect(samples).toBeGreaterThan(ROUNDS);
    expect(mostAtOnce, 'RUNNING runs of one profile at one instant').toBeLessThanOrEqual(1);
    const runs = await cypher(t, `MATCH (r:SyncRun) RETURN r.state AS state, r.failReason AS why, count(*) AS n ORDER BY state`);
    expect(runs.filter((r) => r.state !== 'COMPLETED')).toEqual([]);
    const twice = await cypher(
      t,
      `MATCH (t:Task)-[:FOR_USER]->(u:User), (t)-[:ON_ENTITLEMENT]->(e:Entitlement)
       WHERE t.state IN ['PENDING_APPROVAL', 'PENDING_PROVISIONING']
       WITH t.kind AS kind, u.id AS u, e.id AS e, count(t) AS n WHERE n > 1 RETURN kind, u, e, n`,
    );
    expect(twice).toEqual([]);
    const grantsTwice = await cypher(t, `MATCH (u:User)-[:HOLDS]->(:Grant)-[:OF]->(e:Entitlement) WITH u, e, count(*) AS n WHERE n > 1 RETURN u.id, e.id, n`);
    expect(grantsTwice).toEqual([]);
    // Settled: every profile's members are exactly who its rule says.
    for (const p of profiles) {
      const preview = await t.admin(PREVIEW, { p: p.id });
      expect(preview.node.previewSync).toEqual({ toEnroll: [], toUnenroll: [] });
    }
  }, 240_000);
});

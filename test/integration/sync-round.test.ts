/**
 * A scheduled round, set-based (SyncService.syncMany): the profiles go in parts; each part's runs
 * start in one transaction, their diffs are read in one, and those with nothing to do complete in
 * one. Every run is still recorded as a sync records it (its state, counts, SYNC_STARTED and
 * SYNC_COMPLETED events, audit entries); a run with work goes on alone and acts on it, one that
 * trips the safeguard pauses; busy, paused and disabled profiles are left out; and a run that loses
 * its lease half-way is left to its successor while the rest of its part completes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quiescent, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg } from '../helpers/fixtures.js';
import { createProfile, cypher, grant, openTasks, seedMembers, setAutomation } from '../helpers/sync-seed.js';

let t: TestApp;
const ent: Record<string, string> = {};
const raw = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
const RUNS = `query($p: ID!) { node(id: $p) { ... on AccessProfile { syncRuns(first: 20) { totalCount edges { node { id state trigger enrollTasksCreated unenrollTasksCreated memberCount } } } } } }`;

/** The profile's runs, newest first, through the API. */
const runsOf = async (profileId: string) =>
  ((await t.admin(RUNS, { p: profileId })).node.syncRuns.edges as { node: { id: string; state: string; trigger: string; enrollTasksCreated: number; unenrollTasksCreated: number; memberCount: number | null } }[]).map((e) => e.node);

/** The write transactions the app runs while `work` does, by unit name. */
async function writesDuring(work: () => Promise<unknown>): Promise<Map<string, number>> {
  const db = t.app.services.db;
  const original = db.write.bind(db);
  const units = new Map<string, number>();
  db.write = ((unit: string, fn: Parameters<typeof original>[1]) => {
    units.set(unit, (units.get(unit) ?? 0) + 1);
    return original(unit, fn);
  }) as typeof db.write;
  try {
    await work();
    await quiescent(t);
  } finally {
    db.write = original;
  }
  return units;
}

beforeAll(async () => {
  // The safeguard trips on a profile of more than 2 members losing more than 20% of them.
  t = await startTestApp({ SYNC_INTERVAL_SECONDS: '3600', SAFEGUARD_MIN_MEMBERS: '2' });
  await resetGraph(t.app);
  await ingestOrg(t, 20, [{ externalId: 'app', name: 'App', entitlements: Array.from({ length: 12 }, (_, i) => `c${i}`) }]);
  for (let i = 0; i < 12; i += 1) ent[`c${i}`] = await idOf(t, 'entitlement', `c${i}`);
});
afterAll(async () => t?.stop());

describe('a scheduled round', () => {
  it('syncs every due profile in parts, a few transactions per part; runs with work act alone, a mass removal pauses', async () => {
    // Seven idle profiles (each synced when saved; their enrollment tasks stay open), one with work
    // to do that no trigger saw, one that would unenroll all its members.
    const idle: Awaited<ReturnType<typeof createProfile>>[] = [];
    for (let i = 0; i < 7; i += 1) {
      await grant(t, [[`u${i}`, `c${i}`]]);
      const p = await createProfile(t, `Idle ${i}`);
      await setAutomation(t, p.id, { enabled: true, conditionEntitlementIds: [ent[`c${i}`]!] });
      idle.push(p);
    }
    const work = await createProfile(t, 'Work');
    await setAutomation(t, work.id, { enabled: true, conditionEntitlementIds: [ent.c7!] });
    // A grant written straight into Neo4j (outside the API): only the reconciliation finds it.
    await cypher(t, `MATCH (u:User {externalId: 'u9'}), (e:Entitlement {id: $e}) CREATE (u)-[:HOLDS]->(:Grant {id: randomUUID(), key: u.id + '|' + e.id, grantedAt: 'x', direct: true})-[:OF]->(e)`, { e: raw(ent.c7!) });
    const mass = await createProfile(t, 'Mass removal');
    await grant(t, [['u10', 'c8'], ['u11', 'c8'], ['u12', 'c8']]);
    await seedMembers(t, mass.raw, ['u10', 'u11', 'u12'], 'RULE');
    await setAutomation(t, mass.id, { enabled: true, conditionEntitlementIds: [ent.c8!] });
    await cypher(t, `MATCH (:Entitlement {id: $e})<-[:OF]-(g:Grant) DETACH DELETE g`, { e: raw(ent.c8!) });
    await quiescent(t);

    t.app.services.sync.roundSize = 3;
    const writes = await writesDuring(() => t.app.services.syncTriggers.scheduledRound(Date.now() + 1000));

    // Nine profiles in parts of three: three start and three diff transactions; the idle runs of a
    // part complete together; the run with work goes alone (its batch, its end), the mass removal pauses.
    expect(writes.get('sync.startMany')).toBe(3);
    expect(writes.get('sync.start') ?? 0).toBe(0);
    expect(writes.get('sync.completeMany')).toBeGreaterThanOrEqual(2);
    expect(writes.get('sync.completeMany')).toBeLessThanOrEqual(3);
    expect(writes.get('sync.complete')).toBe(1);
    expect(writes.get('sync.pause')).toBe(1);

    for (const p of idle) {
      const [run] = await runsOf(p.id);
      expect(run).toMatchObject({ state: 'COMPLETED', trigger: 'SCHEDULE', enrollTasksCreated: 0, unenrollTasksCreated: 0, memberCount: 0 });
    }
    const [worked] = await runsOf(work.id);
    expect(worked).toMatchObject({ state: 'COMPLETED', trigger: 'SCHEDULE', enrollTasksCreated: 1 });
    expect(await openTasks(t, raw(work.enrollmentEntitlementId), 'GRANT', 'SYNC')).toEqual(['u9']);
    const [paused] = await runsOf(mass.id);
    expect(paused).toMatchObject({ state: 'PAUSED', trigger: 'SCHEDULE', unenrollTasksCreated: 0 });
    expect(await openTasks(t, raw(mass.enrollmentEntitlementId), 'REVOKE')).toEqual([]);

    // Each run has its events, in order, and its audit entries, as a sync of its own would have.
    for (const p of [...idle, work]) {
      const [run] = await runsOf(p.id);
      const runId = raw(run!.id);
      const events = await cypher<{ type: string }>(t, `MATCH (e:Event {runId: $r}) RETURN e.type AS type ORDER BY e.seq`, { r: runId });
      expect(events.map((e) => e.type).filter((type) => type !== 'SYNC_PROGRESS')).toEqual(['SYNC_STARTED', 'SYNC_COMPLETED']);
      const audit = await cypher<{ action: string }>(t, `MATCH (a:AuditEntry {subjectId: $r}) RETURN a.action AS action ORDER BY a.seq`, { r: runId });
      expect(audit.map((a) => a.action)).toEqual(['SYNC_STARTED', 'SYNC_COMPLETED']);
    }
    // Every lease is free again.
    expect(await cypher(t, `MATCH (l:SyncLease) WHERE l.holder IS NOT NULL RETURN l`)).toEqual([]);

    // The next round with nothing due runs nothing; the paused profile waits for its review.
    const quiet = await writesDuring(() => t.app.services.syncTriggers.scheduledRound(Date.now() - 3_600_000));
    expect(quiet.get('sync.startMany') ?? 0).toBe(0);
    const again = await writesDuring(() => t.app.services.syncTriggers.scheduledRound(Date.now() + 1000));
    expect(again.get('sync.pause') ?? 0).toBe(0);
    expect((await runsOf(mass.id)).map((r) => r.state)).toEqual(['PAUSED', 'COMPLETED']);
  });

  it('leaves out busy, paused and disabled profiles; a run that loses its lease is left to its successor, the rest of its part completes', async () => {
    const sync = t.app.services.sync;
    sync.roundSize = 25;
    const made: Awaited<ReturnType<typeof createProfile>>[] = [];
    for (let i = 0; i < 4; i += 1) {
      const p = await createProfile(t, `Part ${i}`);
      await setAutomation(t, p.id, { enabled: true, conditionEntitlementIds: [ent.c9!] });
      made.push(p);
    }
    const [busy, stolen, ok, disabled] = made as [typeof made[0], typeof made[0], typeof made[0], typeof made[0]];
    await setAutomation(t, disabled.id, { enabled: false, conditionEntitlementIds: [ent.c9!] });
    const paused = (await cypher<{ id: string }>(t, `MATCH (p:AccessProfile {name: 'Mass removal'}) RETURN p.id AS id`))[0]!.id;
    // Another instance's run holds the busy profile's lease.
    await cypher(t, `MATCH (l:SyncLease {profileId: $p}) SET l.holder = 'elsewhere', l.runId = 'elsewhere', l.expiresAtMs = $until`, { p: busy.raw, until: Date.now() + 60_000 });
    // The stolen profile's lease is taken over right after its run started (its lease expired).
    sync.hooks.afterStart = async (runId) => {
      const [row] = await cypher<{ p: string }>(t, `MATCH (r:SyncRun {id: $r})-[:OF_PROFILE]->(p) RETURN p.id AS p`, { r: runId });
      if (row?.p === stolen.raw) await cypher(t, `MATCH (l:SyncLease {profileId: $p}) SET l.holder = 'successor', l.runId = 'successor'`, { p: stolen.raw });
    };
    let runs: Map<string, { state: string }>;
    try {
      runs = await sync.syncMany([busy.raw, stolen.raw, ok.raw, disabled.raw, paused], 'SCHEDULE');
    } finally {
      sync.hooks.afterStart = undefined;
    }
    await quiescent(t);
    expect([...runs.keys()]).toEqual([ok.raw]);
    expect(runs.get(ok.raw)).toMatchObject({ state: 'COMPLETED' });
    expect((await runsOf(ok.id))[0]).toMatchObject({ state: 'COMPLETED', trigger: 'SCHEDULE' });
    // Busy and disabled: no run; paused: still only its paused run and the earlier one.
    expect((await runsOf(busy.id)).map((r) => r.trigger)).toEqual(['AUTOMATION_SAVED']);
    expect((await runsOf(disabled.id)).map((r) => r.trigger)).toEqual(['AUTOMATION_SAVED']);
    expect((await cypher(t, `MATCH (r:SyncRun)-[:OF_PROFILE]->(:AccessProfile {id: $p}) RETURN r`, { p: paused })).length).toBe(2);
    // The stolen run stopped at its lease and is left RUNNING for its successor to mark.
    expect((await runsOf(stolen.id))[0]).toMatchObject({ state: 'RUNNING', trigger: 'SCHEDULE' });
    // The busy profile's lease is untouched; the others' are free.
    expect(await cypher<{ p: string; h: string }>(t, `MATCH (l:SyncLease) WHERE l.holder IS NOT NULL RETURN l.profileId AS p, l.holder AS h ORDER BY h`)).toEqual([
      { p: busy.raw, h: 'elsewhere' },
      { p: stolen.raw, h: 'successor' },
    ]);
  });
});

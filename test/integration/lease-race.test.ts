/**
 * Interleavings of two transactions on a real Neo4j, forced by the test: the first runs its
 * statement and stays open, the second runs its own and blocks on the first's lock (seen in SHOW
 * TRANSACTIONS), then the first commits and the second's answer is checked. Each case is one of
 * the places where a statement reads a node that a concurrent statement is changing or removing:
 * the sync lease (release, takeover, renewal), a task's open key (cancel, close, create), and the
 * claim of an event's notification (prune), and the passes that sequence the event log and chain the
 * audit trail.
 */
import neo4j, { type Session, type Transaction } from 'neo4j-driver';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Tx } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { quiescent, resetGraph, runCypher, startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
const sessions: Session[] = [];

beforeAll(async () => {
  // No catch-up pass during a case: the sequencing case makes its own passes.
  t = await startTestApp({ EVENTS_SEQUENCE_CATCH_UP_MS: '3600000' });
});
beforeEach(async () => resetGraph(t.app));
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  await t?.stop();
});

/** An explicit transaction that runs the project's named statements, as the app's code does. */
function open(): { raw: Transaction; tx: Tx } {
  const session = t.app.services.db.driver.session({ defaultAccessMode: neo4j.session.WRITE });
  sessions.push(session);
  const raw = session.beginTransaction();
  return { raw, tx: new Tx(raw as never, t.app.services.db) };
}

/** Resolves once some transaction waits on a lock. */
async function someoneBlocked(): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error('the second transaction never waited on the first');
    const rows = await runCypher<{ n: number }>(t, `SHOW TRANSACTIONS YIELD status WHERE status STARTS WITH 'Blocked' RETURN count(*) AS n`);
    if (Number(rows[0]!.n) > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Runs `first` in a transaction that stays open, then `second` in another, which must block on
 * the first's lock; commits the first, then the second; returns what each statement returned.
 */
async function interleave<A, B>(first: (tx: Tx) => Promise<A>, second: (tx: Tx) => Promise<B>): Promise<{ first: A; second: B }> {
  const one = open();
  const two = open();
  try {
    const a = await first(one.tx);
    const pending = second(two.tx);
    // A failure of the second must not go unhandled while the first still holds its locks.
    pending.catch(() => undefined);
    await someoneBlocked();
    await one.raw.commit();
    const b = await pending;
    await two.raw.commit();
    return { first: a, second: b };
  } finally {
    // A case that failed midway leaves neither transaction open (their locks would block the next reset).
    for (const { raw } of [one, two]) if (raw.isOpen()) await raw.rollback().catch(() => undefined);
  }
}

const lease = (profileId: string, holder: string, ttlMs = 60_000) => ({
  profileId,
  holder,
  runId: holder,
  nowMs: Date.now(),
  expiresAtMs: Date.now() + ttlMs,
  now: new Date().toISOString(),
});
const leases = () => runCypher(t, `MATCH (l:SyncLease) RETURN l.profileId AS profileId, l.holder AS holder, l.runId AS runId`);

async function acquire(profileId: string, holder: string, ttlMs?: number) {
  return t.app.services.db.write('test.lease-race', (tx) => tx.one<{ acquired: boolean; runId: string | null }>('sync/acquire-lease', lease(profileId, holder, ttlMs)));
}

describe('the sync lease under interleaved transactions', () => {
  it('a release still open when an acquirer arrives: the acquirer waits, then holds a lease that exists', async () => {
    expect(await acquire('p1', 'A')).toEqual({ acquired: true, runId: 'A' });
    const { first, second } = await interleave(
      (tx) => tx.one('sync/release-lease', { profileId: 'p1', holder: 'A', now: new Date().toISOString() }),
      (tx) => tx.one('sync/acquire-lease', lease('p1', 'B')),
    );
    expect(first).toEqual({ released: true });
    expect(second).toEqual({ acquired: true, runId: 'B' });
    expect(await leases()).toEqual([{ profileId: 'p1', holder: 'B', runId: 'B' }]);
    // ... and it is exclusive: a third acquirer is turned away, and B's renewal holds.
    expect(await acquire('p1', 'C')).toEqual({ acquired: false, runId: 'B' });
    expect(await t.app.services.db.write('test.lease-race', (tx) => tx.one('sync/renew-lease', { profileId: 'p1', holder: 'B', expiresAtMs: Date.now() + 60_000 }))).toEqual({ held: true });
  });

  it('two first acquirers of a profile that never had a lease: exactly one wins', async () => {
    const [x, y] = await Promise.all([acquire('p2', 'A'), acquire('p2', 'B')]);
    expect([x!.acquired, y!.acquired].sort()).toEqual([false, true]);
    expect(await leases()).toHaveLength(1);
  });

  it('an acquirer open while the holder renews: the acquirer sees the renewed lease and is turned away', async () => {
    await acquire('p3', 'A', -1000); // A's lease has expired ...
    const { first, second } = await interleave(
      // ... but A renews it before B reads it.
      (tx) => tx.one('sync/renew-lease', { profileId: 'p3', holder: 'A', expiresAtMs: Date.now() + 60_000 }),
      (tx) => tx.one('sync/acquire-lease', lease('p3', 'B')),
    );
    expect(first).toEqual({ held: true });
    expect(second).toEqual({ acquired: false, runId: 'A' });
  });

  it('a takeover of an expired lease still open when the old holder renews: the renewal sees it lost the lease', async () => {
    await acquire('p4', 'A', -1000); // expired
    const { first, second } = await interleave(
      (tx) => tx.one('sync/acquire-lease', lease('p4', 'B')),
      (tx) => tx.one('sync/renew-lease', { profileId: 'p4', holder: 'A', expiresAtMs: Date.now() + 60_000 }),
    );
    expect(first).toEqual({ acquired: true, runId: 'B' });
    expect(second).toEqual({ held: false });
    expect(await leases()).toEqual([{ profileId: 'p4', holder: 'B', runId: 'B' }]);
  });

  it('a takeover still open when the old holder releases: the release frees nothing of the new holder', async () => {
    await acquire('p5', 'A', -1000); // expired
    const { second } = await interleave(
      (tx) => tx.one('sync/acquire-lease', lease('p5', 'B')),
      (tx) => tx.one('sync/release-lease', { profileId: 'p5', holder: 'A', now: new Date().toISOString() }),
    );
    expect(second).toEqual({ released: false });
    expect(await leases()).toEqual([{ profileId: 'p5', holder: 'B', runId: 'B' }]);
  });
});

describe("a task's open key under interleaved transactions", () => {
  const now = () => new Date().toISOString();
  /** A create-tasks batch of one request of u1 for e1 (no policy steps), its task to carry `id` if created. */
  const batch = (id: string) => ({
    groups: [{ kind: 'GRANT', origin: 'MANUAL_ENROLLMENT', entitlementId: 'e1', profileId: null, enrollVia: null, syncRunId: null, steps: null, policyId: null, approved: false, approverType: null, approverUserIds: [] }],
    rows: [{ id, userId: 'u1', g: 0 }],
    now: now(),
  });
  const seed = async () => {
    await runCypher(t, `CREATE (:User {id: 'u1'}), (:Entitlement {id: 'e1'})`);
    await t.app.services.db.write('test.lease-race', (tx) => tx.run('tasks/create-tasks', batch('t1')));
  };
  const openTasks = () => runCypher(t, `MATCH (t:Task) WHERE t.openKey IS NOT NULL RETURN t.id AS id, t.state AS state`);

  it('a cancellation still open when the same request is made again: a new task is created, not the cancelled one returned', async () => {
    await seed();
    const { first, second } = await interleave(
      (tx) => tx.run('tasks/cancel-tasks', { ids: ['t1'], reason: 'test', byId: null, now: now() }),
      (tx) => tx.run('tasks/create-tasks', batch('t2')),
    );
    expect(first).toHaveLength(1);
    expect(second).toMatchObject([{ id: 't2', created: true }]);
    expect(await openTasks()).toEqual([{ id: 't2', state: 'PENDING_APPROVAL' }]);
    const links = await runCypher(t, `MATCH (:Task {id: 't2'})-[r]->() RETURN type(r) AS r ORDER BY r`);
    expect(links.map((l) => l.r)).toEqual(['FOR_USER', 'ON_ENTITLEMENT']);
  });

  it('a denial still open when the same request is made again: a new task is created, not the denied one returned', async () => {
    await seed();
    const { second } = await interleave(
      (tx) => tx.run('workflow/close-tasks', { ids: ['t1'], from: 'PENDING_APPROVAL', to: 'DENIED', reason: 'no', byId: null, now: now() }),
      (tx) => tx.run('tasks/create-tasks', batch('t3')),
    );
    expect(second).toMatchObject([{ id: 't3', created: true }]);
    expect(await openTasks()).toEqual([{ id: 't3', state: 'PENDING_APPROVAL' }]);
  });

  it('a creation still open when the same request is made again: the second gets the first task, no duplicate', async () => {
    await runCypher(t, `CREATE (:User {id: 'u1'}), (:Entitlement {id: 'e1'})`);
    const { first, second } = await interleave(
      (tx) => tx.run('tasks/create-tasks', batch('t4')),
      (tx) => tx.run('tasks/create-tasks', batch('t5')),
    );
    expect(first).toMatchObject([{ id: 't4', created: true }]);
    expect(second).toMatchObject([{ id: 't4', created: false }]);
    expect(await openTasks()).toEqual([{ id: 't4', state: 'PENDING_APPROVAL' }]);
  });
});

describe('state transitions under interleaved transactions', () => {
  const now = () => new Date().toISOString();
  const seedTask = async (state: string, kind = 'GRANT') => {
    await runCypher(
      t,
      `CREATE (u:User {id: 'u1'}), (e:Entitlement {id: 'e1'}),
              (u)<-[:FOR_USER]-(:Task {id: 't1', kind: $kind, state: $state, openKey: $kind + '|u1|e1', openOn: 'e1'})-[:ON_ENTITLEMENT]->(e)`,
      { state, kind },
    );
  };
  const stateOf = async () => (await runCypher(t, `MATCH (t:Task {id: 't1'}) RETURN t.state AS s`))[0]!.s;

  it('a completion still open when a sync cancels the task: the cancellation sees it DONE and leaves it', async () => {
    await seedTask('PENDING_PROVISIONING');
    const { first, second } = await interleave(
      (tx) => tx.run('workflow/complete-grant-tasks', { rows: [{ id: 't1', grantId: 'g1' }], now: now(), byId: null }),
      (tx) => tx.run('tasks/cancel-tasks', { ids: ['t1'], reason: 'stale', byId: null, now: now() }),
    );
    expect(first).toHaveLength(1);
    expect(second).toEqual([]);
    expect(await stateOf()).toBe('DONE');
    expect(await runCypher(t, `MATCH (:User {id: 'u1'})-[:HOLDS]->(g:Grant) RETURN g.id AS id`)).toEqual([{ id: 'g1' }]);
  });

  it('a cancellation still open when the task is approved: the approval sees it CANCELLED and moves nothing', async () => {
    await seedTask('PENDING_APPROVAL');
    const { second } = await interleave(
      (tx) => tx.run('tasks/cancel-tasks', { ids: ['t1'], reason: 'stale', byId: null, now: now() }),
      (tx) => tx.run('workflow/approve-tasks', { ids: ['t1'], now: now() }),
    );
    expect(second).toEqual([]);
    expect(await stateOf()).toBe('CANCELLED');
  });

  it('a denial still open when the task is cancelled: the cancellation sees it DENIED', async () => {
    await seedTask('PENDING_APPROVAL');
    const { second } = await interleave(
      (tx) => tx.run('workflow/close-tasks', { ids: ['t1'], from: 'PENDING_APPROVAL', to: 'DENIED', reason: 'no', byId: null, now: now() }),
      (tx) => tx.run('tasks/cancel-tasks', { ids: ['t1'], reason: 'stale', byId: null, now: now() }),
    );
    expect(second).toEqual([]);
    expect(await stateOf()).toBe('DENIED');
  });

  it('a revocation still open when it is completed again: one completion, one removal', async () => {
    await seedTask('PENDING_PROVISIONING', 'REVOKE');
    await runCypher(t, `MATCH (u:User {id: 'u1'}), (e:Entitlement {id: 'e1'}) CREATE (u)-[:HOLDS]->(:Grant {id: 'g0', key: 'u1|e1'})-[:OF]->(e)`);
    const { first, second } = await interleave(
      (tx) => tx.run('workflow/complete-revoke-tasks', { ids: ['t1'], now: now(), byId: null }),
      (tx) => tx.run('workflow/complete-revoke-tasks', { ids: ['t1'], now: now(), byId: null }),
    );
    expect(first).toHaveLength(1);
    expect(second).toEqual([]);
  });

  it('a discard of a paused run still open when it is resumed: the resume sees it DISCARDED', async () => {
    await runCypher(t, `CREATE (:SyncRun {id: 'r1', state: 'PAUSED'})`);
    const move = (state: string) => (tx: Tx) =>
      tx.one('sync/set-run-state', { runId: 'r1', fromStates: ['PAUSED'], state, now: now(), pauseReason: null, failReason: null, reviewedById: null, reviewedAt: now() });
    const { first, second } = await interleave(move('DISCARDED'), move('RUNNING'));
    expect(first).toEqual({ id: 'r1' });
    expect(second).toBeUndefined();
    expect((await runCypher(t, `MATCH (r:SyncRun {id: 'r1'}) RETURN r.state AS s`))[0]!.s).toBe('DISCARDED');
  });
});

describe('the event log and the audit chain under interleaved transactions', () => {
  /** One write's events as finish-write takes them (parallel lists; no marks). */
  const pendingOf = (unitId: string, stamp: number, types: string[], now: string) => ({
    entries: [],
    unitId,
    stamp,
    fromOrdinal: 0,
    types,
    ...Object.fromEntries(['taskIds', 'runIds', 'profileIds', 'userIds', 'payloads'].map((k) => [k, types.map(() => null)])),
    now,
    conditionsChanged: [],
    profilesToSync: [],
  });

  it('two sequencing passes of the event log: the second waits on the counter and continues after the seqs the first gave, none twice', async () => {
    const at = new Date().toISOString();
    const pass = (limit: number) => (tx: Tx) => tx.one('events/sequence-pending', { now: at, limit });
    await t.app.services.db.write('test.lease-race', pass(10)); // the counter exists
    // Two writes' events, committed pending: u1 (A, B) stamped before u2 (C).
    await t.app.services.db.write('test.lease-race', async (tx) => {
      await tx.run('db/finish-write', pendingOf('u2', 2.5, ['C'], at));
      await tx.run('db/finish-write', pendingOf('u1', 1.5, ['A', 'B'], at));
    });
    // The first pass takes one event, and with it the rest of its write's; the second waits for its commit.
    const { first, second } = await interleave(pass(1), pass(10));
    expect(first).toEqual({ sequenced: 2, lastSeq: 2 });
    expect(second).toEqual({ sequenced: 1, lastSeq: 3 });
    const rows = await runCypher(t, `MATCH (e:Event) RETURN e.seq AS seq, e.type AS type, e.at = $at AS kept, e.unitId IS NULL AND e.stamp IS NULL AS clean ORDER BY seq`, { at });
    expect(rows).toEqual([
      { seq: 1, type: 'A', kept: true, clean: true },
      { seq: 2, type: 'B', kept: true, clean: true },
      { seq: 3, type: 'C', kept: true, clean: true },
    ]);
    // Nothing pending: a pass changes nothing.
    expect(await t.app.services.db.write('test.lease-race', pass(10))).toEqual({ sequenced: 0, lastSeq: 3 });
    expect(await runCypher(t, `MATCH (c:Counter {name: 'events'}) RETURN c.value AS head, COUNT { (:EventPending) } AS pending, COUNT { (:Event) } AS events`)).toEqual([{ head: 3, pending: 0, events: 3 }]);
  });

  it('a write\'s events held on one pending node become one (:Event) each; unset fields stay unset, and pending events of the older shape are migrated', async () => {
    const at = new Date().toISOString();
    const pass = (tx: Tx) => tx.one('events/sequence-pending', { now: at, limit: 2000 });
    await t.app.services.db.write('test.lease-race', pass); // the counter exists
    const before = Number((await runCypher<{ head: number }>(t, `MATCH (c:Counter {name: 'events'}) RETURN c.value AS head`))[0]!.head);
    // An older instance's pending events: one node per event, stamped first.
    await runCypher(t, `CREATE (:EventPending {unitId: 'old', ordinal: 0, stamp: 0.5, at: $at, type: 'OLD_A', taskId: 't-old'}),
                               (:EventPending {unitId: 'old', ordinal: 1, stamp: 0.5, at: $at, type: 'OLD_B', payload: '{"n":1}'})`, { at });
    await migrate(t.app.services.db);
    await t.app.services.db.write('test.lease-race', (tx) =>
      tx.run('db/finish-write', { ...pendingOf('w', 1.5, ['A', 'B'], at), taskIds: ['t1', null], userIds: [null, 'u1'], payloads: [null, '{"x":2}'] }),
    );
    expect(await runCypher(t, `MATCH (e:EventPending) RETURN e.unitId AS unit, e.count AS count ORDER BY unit`)).toEqual([
      { unit: 'old', count: 1 },
      { unit: 'old', count: 1 },
      { unit: 'w', count: 2 },
    ]);
    expect(await runCypher(t, `CALL { ${t.app.services.db.cypher.get('events/count-pending-events')} } RETURN pending`)).toEqual([{ pending: 4 }]);
    expect(await t.app.services.db.write('test.lease-race', pass)).toEqual({ sequenced: 4, lastSeq: before + 4 });
    const rows = await runCypher(
      t,
      `MATCH (e:Event) WHERE e.seq > $before RETURN e.seq - $before AS n, e.type AS type, e.taskId AS taskId, e.userId AS userId, e.payload AS payload, COLLECT { UNWIND keys(e) AS k RETURN k ORDER BY k } AS keys ORDER BY n`,
      { before },
    );
    expect(rows).toEqual([
      { n: 1, type: 'OLD_A', taskId: 't-old', userId: null, payload: null, keys: ['at', 'seq', 'taskId', 'type'] },
      { n: 2, type: 'OLD_B', taskId: null, userId: null, payload: '{"n":1}', keys: ['at', 'payload', 'seq', 'type'] },
      { n: 3, type: 'A', taskId: 't1', userId: null, payload: null, keys: ['at', 'seq', 'taskId', 'type'] },
      { n: 4, type: 'B', taskId: null, userId: 'u1', payload: '{"x":2}', keys: ['at', 'payload', 'seq', 'type', 'userId'] },
    ]);
    expect(await runCypher(t, `RETURN COUNT { (:EventPending) } AS pending`)).toEqual([{ pending: 0 }]);
  });

  it("two sealing passes of the audit chain: the second reads the head the first moved", async () => {
    const lock = (tx: Tx) => tx.one<{ seq: number; lastHash: string; pending: unknown[] }>('audit/lock-chain', { now: new Date().toISOString(), genesis: 'g', limit: 500 }).then((head) => head && { seq: head.seq, lastHash: head.lastHash });
    await t.app.services.db.write('test.lease-race', lock); // the head exists
    // A pending entry, chained by the first pass: seq 1, its hash h1.
    const [pending] = await runCypher<{ id: string }>(t, `CREATE (e:AuditPending {unitId: 'u', ordinal: 0}) RETURN elementId(e) AS id`);
    const { first, second } = await interleave(
      async (tx) => {
        const head = await lock(tx);
        const entry = { elementId: pending!.id, seq: head!.seq + 1, hash: 'h1', prevHash: head!.lastHash };
        expect(await tx.one('audit/seal-entries', { fromSeq: head!.seq, lastSeq: entry.seq, lastHash: 'h1', entries: [entry] })).toEqual({ sealed: 1 });
        return head;
      },
      lock,
    );
    expect(first).toEqual({ seq: 0, lastHash: 'g' });
    expect(second).toEqual({ seq: 1, lastHash: 'h1' });
  });
});

describe("an event's notification claim under interleaved transactions", () => {
  it('a prune still open when an instance claims the event: the claim wins nothing', async () => {
    // A consistent log (its counter at its last seq), delivered before the prune empties it.
    await runCypher(t, `CREATE (:Counter {name: 'events', value: 1}), (:Event {seq: 1, type: 'SYNC_PAUSED', at: '2000-01-01T00:00:00.000Z'})`);
    await quiescent(t);
    const { first, second } = await interleave(
      (tx) => tx.one('events/prune-events', { before: new Date().toISOString(), limit: 10 }),
      (tx) => tx.run('events/claim-notification', { seq: 1, instance: 'i1', now: new Date().toISOString(), staleBefore: new Date(0).toISOString() }),
    );
    expect(first).toMatchObject({ deleted: 1 });
    expect(second.every((r) => r.claimed === false)).toBe(true);
  });

  it('two instances claiming one event at once: exactly one wins', async () => {
    await runCypher(t, `CREATE (:Counter {name: 'events', value: 2}), (:Event {seq: 1, type: 'SYNC_PAUSED', at: $at}), (:Event {seq: 2, type: 'SYNC_PAUSED', at: $at})`, { at: new Date().toISOString() });
    const claim = (instance: string) => (tx: Tx) => tx.one<{ claimed: boolean }>('events/claim-notification', { seq: 2, instance, now: new Date().toISOString(), staleBefore: new Date(0).toISOString() });
    const { first, second } = await interleave(claim('i1'), claim('i2'));
    expect([first!.claimed, second!.claimed]).toEqual([true, false]);
  });
});

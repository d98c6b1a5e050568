/**
 * The event log's sequencer (src/events/sequencer.ts): a write records its events pending, takes
 * no lock another write needs, and answers once a pass after its commit gave them their seqs;
 * concurrent writes on two instances sharing one Neo4j give one gap-free log that subscribers of
 * both instances receive complete, in order, once; events an instance left pending (it stopped
 * between a commit and its pass) are sequenced by the other instance's catch-up.
 */
import neo4j from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawIdOf } from '../../src/ids.js';
import { ADMIN_TOKEN, resetGraph, runCypher, startTestApp, type TestApp } from '../helpers/app.js';
import { collect, subscribed, wsClient, type Collector } from '../helpers/events-ws.js';
import { idOf, ingestOrg } from '../helpers/fixtures.js';

let t: TestApp;
let other: TestApp;
const USERS = 24;
const ENTITLEMENTS = ['e0', 'e1', 'e2', 'e3'];
const users: string[] = [];
const entitlements: string[] = [];
const clients: { dispose(): Promise<void> | void }[] = [];

const seqOf = (cursor: string): number => Number(Buffer.from(cursor, 'base64').toString('utf8').split(':')[1]);
const TASK_EVENTS = `subscription { taskEvents { cursor type task { id } } }`;

/** The log as Neo4j holds it: the head, the sequenced seqs in order, and how many events wait pending. */
async function log(): Promise<{ head: number; seqs: number[]; pending: number }> {
  const [row] = await runCypher<{ head: number | null; seqs: number[]; pending: number }>(
    t,
    `OPTIONAL MATCH (c:Counter {name: 'events'})
     RETURN c.value AS head, COLLECT { MATCH (e:Event) RETURN e.seq ORDER BY e.seq } AS seqs, COUNT { (:EventPending) } AS pending`,
  );
  return { head: Number(row?.head ?? 0), seqs: (row?.seqs ?? []).map(Number), pending: Number(row?.pending ?? 0) };
}

/** An admin's taskEvents subscription on `app`, registered before it resolves. */
async function subscriber(app: TestApp): Promise<Collector> {
  const client = wsClient(app.url, ADMIN_TOKEN);
  clients.push(client);
  return subscribed(app, 1, () => collect(client, 'taskEvents', TASK_EVENTS));
}

/** Creates the tasks of `pairs` one write each, `writers` at once, alternating between the two instances. */
async function createConcurrently(pairs: [user: string, entitlement: string][], writers: number, on: (k: number) => TestApp): Promise<string[]> {
  const queue = [...pairs];
  const ids: string[] = [];
  await Promise.all(
    Array.from({ length: writers }, async (_, k) => {
      for (let pair = queue.shift(); pair; pair = queue.shift()) {
        const { created } = await on(k).app.services.tasks.create([{ kind: 'GRANT', origin: 'ADMIN', userId: pair[0], entitlementId: pair[1] }]);
        ids.push(...created);
      }
    }),
  );
  return ids;
}

beforeAll(async () => {
  t = await startTestApp({ EVENTS_SEQUENCE_CATCH_UP_MS: '200' });
  other = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, USERS, [{ externalId: 'app', name: 'App', entitlements: ENTITLEMENTS }]);
  for (let i = 1; i < USERS; i += 1) users.push(rawIdOf('User', await idOf(t, 'user', `u${i}`)));
  for (const e of ENTITLEMENTS) entitlements.push(rawIdOf('Entitlement', await idOf(t, 'entitlement', e)));
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await other?.stop();
  await t?.stop();
});

describe('concurrent writes on two instances sharing one Neo4j', () => {
  it('give one gap-free log, every write sequenced when it answers, and both instances deliver it complete, in order, once', async () => {
    const before = await log();
    const [here, there] = [await subscriber(t), await subscriber(other)];
    const pairs = users.slice(0, 20).flatMap((u) => entitlements.slice(0, 3).map((e) => [u, e] as [string, string]));
    const ids = await createConcurrently(pairs, 12, (k) => (k % 2 === 0 ? t : other));
    expect(ids).toHaveLength(pairs.length);

    // Every write answered with its events sequenced: nothing pending, seqs 1..head without a gap.
    const now = await log();
    expect(now.pending).toBe(0);
    expect(now.seqs).toEqual(Array.from({ length: now.head }, (_, i) => i + 1));
    const created = await runCypher<{ taskId: string; seq: number }>(t, `MATCH (e:Event {type: 'TASK_CREATED'}) WHERE e.seq > $s RETURN e.taskId AS taskId, e.seq AS seq`, { s: before.head });
    expect(created.map((r) => r.taskId).sort()).toEqual([...ids].sort());

    // Both subscribers get every event after the head they started at, once, in seq order.
    const expected = now.seqs.filter((s) => s > before.head);
    for (const sub of [here, there]) {
      await sub.until((events) => events.length >= expected.length);
      expect(sub.events().map((e) => seqOf(e.cursor))).toEqual(expected);
    }
    expect(here.events().map((e) => [e.type, e.task?.id])).toEqual(there.events().map((e) => [e.type, e.task?.id]));
    here.stop();
    there.stop();
  });

  it('a write commits while a sequencing pass holds the counter, and answers once the pass lets go', async () => {
    const session = t.app.services.db.driver.session({ defaultAccessMode: neo4j.session.WRITE });
    const blocker = session.beginTransaction();
    try {
      // A pass of nothing (limit 0) that stays open: it holds the counter as any pass does.
      await blocker.run(t.app.services.db.cypher.get('events/sequence-pending'), { now: new Date().toISOString(), limit: neo4j.int(0) });
      let answered = false;
      const write = other.app.services.tasks.create([{ kind: 'GRANT', origin: 'ADMIN', userId: users[21]!, entitlementId: entitlements[3]! }]).then((r) => {
        answered = true;
        return r;
      });
      // Its task and its events commit (pending) although the counter is held...
      for (let i = 0; i < 200 && (await log()).pending === 0; i += 1) await new Promise((r) => setTimeout(r, 25));
      const [task] = await runCypher<{ n: number }>(t, `MATCH (x:Task)-[:FOR_USER]->(:User {id: $u}) RETURN count(x) AS n`, { u: users[21] });
      expect(Number(task!.n)).toBe(1);
      expect((await log()).pending).toBeGreaterThan(0);
      expect(answered).toBe(false);
      // ...and it answers once the counter is free, its events sequenced.
      await blocker.commit();
      const { created } = await write;
      const [event] = await runCypher<{ seq: number | null }>(t, `MATCH (e:Event {taskId: $id, type: 'TASK_CREATED'}) RETURN e.seq AS seq`, { id: created[0] });
      expect(event?.seq).toBeGreaterThan(0);
      expect((await log()).pending).toBe(0);
    } finally {
      if (blocker.isOpen()) await blocker.rollback();
      await session.close();
    }
  });
});

describe('an instance that stops between its commits and sequencing', () => {
  it("leaves its events pending; the other instance's catch-up sequences them and its subscribers get them, gap-free", async () => {
    const before = await log();
    const sub = await subscriber(t);
    // As if `other` crashed after each commit, before its pass: its sequencer no longer runs.
    await other.app.services.eventSequencer.stop();
    const ids = await createConcurrently(users.slice(0, 4).map((u) => [u, entitlements[3]!]), 2, () => other);
    expect(ids).toHaveLength(4);
    // Nobody on `t` wrote: its catch-up (every 200 ms here) finds them.
    for (let i = 0; i < 300 && (await log()).pending > 0; i += 1) await new Promise((r) => setTimeout(r, 50));
    const now = await log();
    expect(now.pending).toBe(0);
    expect(now.seqs).toEqual(Array.from({ length: now.head }, (_, i) => i + 1));
    const expected = now.seqs.filter((s) => s > before.head);
    expect(expected.length).toBeGreaterThanOrEqual(4);
    await sub.until((events) => events.length >= expected.length);
    expect(sub.events().map((e) => seqOf(e.cursor))).toEqual(expected);
    expect(sub.events().filter((e) => e.type === 'TASK_CREATED').map((e) => rawIdOf('Task', e.task.id)).sort()).toEqual([...ids].sort());
    sub.stop();
  });
});

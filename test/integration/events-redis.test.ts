import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asLogged, type LooseEvent } from '../helpers/events-log.js';
import { EVENTS_CHANNEL, RedisBus } from '../../src/events/bus.js';
import { Redis } from 'ioredis';
import { ADMIN_TOKEN, quiescent, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { eventually } from '../helpers/sync-seed.js';
import { startRedis, type RedisServer } from '../helpers/events-redis.js';
import { collect, subscribed, wsClient } from '../helpers/events-ws.js';

// Two API instances on one Neo4j and one Redis. The safety-net poll is slowed to a minute, so an
// event that reaches the other instance within the test got there through Redis.
let redis: RedisServer;
let a: TestApp;
let b: TestApp;

const SYNC_EVENTS = `subscription($after: String) { syncEvents(after: $after) { cursor type runId } }`;
const seqOf = (cursor: string): number => Number(Buffer.from(cursor, 'base64').toString('utf8').split(':')[1]);

async function appendOn(t: TestApp, events: LooseEvent[]): Promise<void> {
  await t.app.services.db.write('test.events-redis', async (tx) => tx.unit.recordEvents(asLogged(events)));
}

async function busReady(t: TestApp): Promise<void> {
  const bus = (t.app.services.eventStream as unknown as { bus: RedisBus }).bus;
  await bus.ready();
}

beforeAll(async () => {
  redis = await startRedis();
  // Empty the graph before the two instances start, so that both begin at the start of the
  // (emptied) event log rather than where the previous test file left it.
  const cleaner = await startTestApp();
  await resetGraph(cleaner.app);
  await cleaner.stop();
  a = await startTestApp({ REDIS_URL: redis.url, EVENTS_POLL_MS: '60000' });
  b = await startTestApp({ REDIS_URL: redis.url, EVENTS_POLL_MS: '60000' });
  await Promise.all([busReady(a), busReady(b)]);
  // Both instances notice the emptied log before the tests (the poll is slow here).
  await appendOn(a, [{ type: 'SYNC_STARTED', runId: 'warm-up', profileId: 'p' }]);
  await appendOn(b, [{ type: 'SYNC_COMPLETED', runId: 'warm-up', profileId: 'p' }]);
  // Subscribers start from what an instance has delivered: wait until both have passed the
  // warm-up, or a test's subscriber would rightly receive it.
  await deliveredThrough(a, 2);
  await deliveredThrough(b, 2);
});

async function deliveredThrough(t: TestApp, seq: number): Promise<void> {
  const stream = t.app.services.eventStream;
  const deadline = Date.now() + 10_000;
  while (stream.deliveredThrough < seq) {
    if (Date.now() > deadline) throw new Error(`instance did not deliver through seq ${seq}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until Redis counts `count` subscribers of the events channel. */
async function channelSubscribers(count: number): Promise<void> {
  const client = new Redis(redis.url);
  try {
    await eventually(async () => {
      const [, subscribers] = (await client.call('PUBSUB', 'NUMSUB', EVENTS_CHANNEL)) as [string, number];
      return Number(subscribers) >= count;
    });
  } finally {
    client.disconnect();
  }
}

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await redis?.stop();
});

describe('events across instances', () => {
  it('delivers an event committed on one instance to a subscriber on the other, through Redis', async () => {
    const client = wsClient(b.url, ADMIN_TOKEN);
    const sub = await subscribed(b, 1, () => collect(client, 'syncEvents', SYNC_EVENTS));
    await appendOn(a, [{ type: 'SYNC_STARTED', runId: 'run-a', profileId: 'p' }]);
    await appendOn(a, [{ type: 'SYNC_PROGRESS', runId: 'run-a', profileId: 'p', payload: { processed: 1, total: 2 } }]);
    await appendOn(b, [{ type: 'SYNC_COMPLETED', runId: 'run-b', profileId: 'p' }]);
    await sub.until((events) => events.length >= 3, 10_000);
    expect(sub.events().map((e) => e.type)).toEqual(['SYNC_STARTED', 'SYNC_PROGRESS', 'SYNC_COMPLETED']);
    const seqs = sub.events().map((e) => seqOf(e.cursor));
    expect(seqs).toEqual([seqs[0], seqs[0]! + 1, seqs[0]! + 2]);
    await client.dispose();
  });

  it('gives a subscriber what it missed while Redis was down, by cursor on reconnect, then live again', async () => {
    const first = wsClient(b.url, ADMIN_TOKEN);
    const before = await subscribed(b, 1, () => collect(first, 'syncEvents', SYNC_EVENTS));
    await appendOn(a, [{ type: 'SYNC_STARTED', runId: 'run-blip', profileId: 'p' }]);
    await before.until((events) => events.length >= 1, 10_000);
    const cursor = before.events().at(-1)!.cursor as string;

    await redis.stop(); // the blip: what A publishes now is lost
    await appendOn(a, [{ type: 'SYNC_PAUSED', runId: 'run-blip', profileId: 'p', payload: { stagedUnenrollments: 7 } }]);
    await quiescent(a); // A has delivered it and tried to publish it: B can hear of it only from the log now
    expect(before.events().map((e) => e.type)).toEqual(['SYNC_STARTED']); // not delivered live
    await first.dispose(); // the subscriber reconnects...

    const second = wsClient(b.url, ADMIN_TOKEN);
    const after = collect(second, 'syncEvents', SYNC_EVENTS, { after: cursor });
    await after.until((events) => events.length >= 1, 10_000);
    expect(after.events().map((e) => e.type)).toEqual(['SYNC_PAUSED']); // ...and gets it from the log

    await redis.restart();
    await Promise.all([busReady(a), busReady(b)]);
    await channelSubscribers(2); // both instances resubscribed to the channel
    await appendOn(a, [{ type: 'SYNC_RESUMED', runId: 'run-blip', profileId: 'p' }]);
    await after.until((events) => events.length >= 2, 10_000);
    expect(after.events().map((e) => e.type)).toEqual(['SYNC_PAUSED', 'SYNC_RESUMED']);
    const seqs = after.events().map((e) => seqOf(e.cursor));
    expect(seqs).toEqual([seqOf(cursor) + 1, seqOf(cursor) + 2]);
    await second.dispose();
  });
});

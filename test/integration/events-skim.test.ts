/**
 * An instance where nobody reads task or sync events (no subscription, no webhook, no Redis) reads
 * from the log only the credential events its open connections and token cache follow
 * (events/read-events-of-types): a sync's or a cascade's thousands of task events are skipped
 * inside Neo4j, never sent. Its delivered head still follows the log; a subscription that opens
 * afterwards gets every event committed after it opened, in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawIdOf } from '../../src/ids.js';
import { ADMIN_TOKEN, quiescent, resetGraph, runCypher, startTestApp, type TestApp } from '../helpers/app.js';
import { collect, subscribed, wsClient } from '../helpers/events-ws.js';
import { idOf, ingestOrg } from '../helpers/fixtures.js';

let t: TestApp;
const users: string[] = [];
const entitlements: string[] = [];
const clients: { dispose(): Promise<void> | void }[] = [];

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, 6, [{ externalId: 'app', name: 'App', entitlements: ['e0', 'e1'] }]);
  for (let i = 0; i < 6; i += 1) users.push(rawIdOf('User', await idOf(t, 'user', `u${i}`)));
  for (const e of ['e0', 'e1']) entitlements.push(rawIdOf('Entitlement', await idOf(t, 'entitlement', e)));
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await t?.stop();
});

const reads = () => {
  const counts = t.app.services.db.statementCounts;
  return { full: counts.get('events/read-events') ?? 0, credentials: counts.get('events/read-events-of-types') ?? 0 };
};
const head = async () => Number((await runCypher<{ head: number }>(t, `MATCH (c:Counter {name: 'events'}) RETURN c.value AS head`))[0]!.head);

describe('delivery with nobody reading task events', () => {
  it('reads only credential events and follows the head; a later subscriber gets every event after it opened', async () => {
    const stream = t.app.services.eventStream;
    await quiescent(t);
    expect(stream.subscriberCount).toBe(0);
    const before = reads();
    const { created } = await t.app.services.tasks.create(users.slice(0, 3).map((userId) => ({ kind: 'GRANT' as const, origin: 'ADMIN' as const, userId, entitlementId: entitlements[0]! })));
    expect(created).toHaveLength(3);
    await quiescent(t);
    const after = reads();
    expect(after.full).toBe(before.full);
    expect(after.credentials).toBeGreaterThan(before.credentials);
    expect(stream.deliveredThrough).toBe(await head());

    // A subscriber from now on: the full log is read again, and it gets the next tasks' events in order.
    const client = wsClient(t.url, ADMIN_TOKEN);
    clients.push(client);
    const events = await subscribed(t, 1, () => collect(client, 'taskEvents', `subscription { taskEvents { cursor type task { id } } }`));
    const next = await t.app.services.tasks.create(users.slice(3, 6).map((userId) => ({ kind: 'GRANT' as const, origin: 'ADMIN' as const, userId, entitlementId: entitlements[1]! })));
    await events.until((received) => received.length >= 3);
    expect(events.events().map((e) => rawIdOf('Task', e.task.id))).toEqual(next.created);
    expect(events.events().every((e) => e.type === 'TASK_CREATED')).toBe(true);
    expect(reads().full).toBeGreaterThan(after.full);
  });
});

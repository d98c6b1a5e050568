/**
 * One unit of work per write: what a write records (events, audit changes, holders changed) is
 * appended inside its transaction and acted on once after it commits; a write that fails leaves
 * nothing of it. The poll is slowed to a minute here, so an event that reaches its subscriber
 * within the test got there because its commit started delivery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, resetGraph, runCypher, startTestApp, type TestApp } from '../helpers/app.js';
import { collect, subscribed, wsClient } from '../helpers/events-ws.js';
import { recordAudit } from '../../src/audit/trail.js';

let t: TestApp;
const count = async (label: string) => Number((await runCypher<{ n: number }>(t, `MATCH (n) WHERE $label IN labels(n) RETURN count(n) AS n`, { label }))[0]!.n);

beforeAll(async () => {
  t = await startTestApp({ EVENTS_POLL_MS: '60000' });
  await resetGraph(t.app);
});
afterAll(async () => t?.stop());

describe('a unit of work', () => {
  it('delivers an event recorded in a write to a subscriber as soon as the write commits, without the poll', async () => {
    const client = wsClient(t.url, ADMIN_TOKEN);
    const sub = await subscribed(t, 1, () => collect(client, 'syncEvents', `subscription { syncEvents { type runId } }`));
    const heard: string[][] = [];
    t.app.services.db.onCommitted((unit) => heard.push([...unit.changedEntitlementIds]));
    await t.app.services.db.write(async (tx) => {
      tx.unit.recordEvents([{ type: 'SYNC_STARTED', runId: 'run-unit', profileId: 'p' }]);
      tx.unit.holdersChanged(['e1', 'e2', 'e1']);
      recordAudit(tx, null, { action: 'TEST_ACTION', subjectType: 'Test', subjectId: 'x' });
    });
    await sub.until((events) => events.some((e) => e.type === 'SYNC_STARTED'), 10_000);
    expect(heard).toEqual([['e1', 'e2']]); // told once, after the commit
    expect(await count('Event')).toBe(1);
    expect(await count('AuditEntry')).toBe(1);
    await client.dispose();
  });

  it('appends nothing and tells nobody when the write fails', async () => {
    const before = { events: await count('Event'), audit: await count('AuditEntry') };
    let told = 0;
    t.app.services.db.onCommitted(() => (told += 1));
    await expect(
      t.app.services.db.write(async (tx) => {
        tx.unit.recordEvents([{ type: 'SYNC_STARTED', runId: 'run-failed', profileId: 'p' }]);
        recordAudit(tx, null, { action: 'TEST_ACTION', subjectType: 'Test', subjectId: 'y' });
        throw new Error('the work fails after recording');
      }),
    ).rejects.toThrow('the work fails');
    expect({ events: await count('Event'), audit: await count('AuditEntry') }).toEqual(before);
    expect(told).toBe(0);
  });

  it('is for writes only: a read transaction that records something fails loudly', async () => {
    await expect(t.app.services.db.read(async (tx) => tx.unit.recordEvents([]))).rejects.toThrow(/a read transaction records nothing/);
  });
});

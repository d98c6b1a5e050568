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
import { syncEvent } from '../../src/events/domain.js';

let t: TestApp;
const count = async (label: string) => Number((await runCypher<{ n: number }>(t, `MATCH (n) WHERE $label IN labels(n) RETURN count(n) AS n`, { label }))[0]!.n);
/** Audit entries the writes recorded: chained, or committed and waiting for the sealer (docs/audit.md). */
const auditEntries = async () => Number((await runCypher<{ n: number }>(t, `MATCH (n) WHERE n:AuditEntry OR n:AuditPending RETURN count(n) AS n`))[0]!.n);

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
    // Only units that changed holders: the audit sealer's pass after the commit is a write of its own.
    t.app.services.db.onCommitted((unit) => {
      if (unit.changedEntitlementIds.size > 0) heard.push([...unit.changedEntitlementIds]);
    });
    await t.app.services.db.write('test.unit-of-work', async (tx) => {
      tx.unit.recordEvents([syncEvent('SYNC_STARTED', { runId: 'run-unit', profileId: 'p' }, { trigger: 'MANUAL' })]);
      tx.unit.holdersChanged(['e1', 'e2', 'e1']);
      recordAudit(tx, null, { action: 'PROFILE_UPDATED', subjectType: 'AccessProfile', subjectId: 'x' });
    });
    await sub.until((events) => events.some((e) => e.type === 'SYNC_STARTED'), 10_000);
    expect(heard).toEqual([['e1', 'e2']]); // told once, after the commit
    expect(await count('Event')).toBe(1);
    expect(await auditEntries()).toBe(1);
    await client.dispose();
  });

  it('appends nothing and tells nobody when the write fails', async () => {
    const before = { events: await count('Event'), audit: await auditEntries() };
    let told = 0;
    t.app.services.db.onCommitted(() => (told += 1));
    await expect(
      t.app.services.db.write('test.unit-of-work', async (tx) => {
        tx.unit.recordEvents([syncEvent('SYNC_STARTED', { runId: 'run-failed', profileId: 'p' }, { trigger: 'MANUAL' })]);
        recordAudit(tx, null, { action: 'PROFILE_UPDATED', subjectType: 'AccessProfile', subjectId: 'y' });
        throw new Error('the work fails after recording');
      }),
    ).rejects.toThrow('the work fails');
    expect({ events: await count('Event'), audit: await auditEntries() }).toEqual(before);
    expect(told).toBe(0);
  });

  it('is for writes only: a read transaction that records something fails loudly', async () => {
    await expect(t.app.services.db.read('test.unit-of-work', async (tx) => tx.unit.recordEvents([]))).rejects.toThrow(/a read transaction records nothing/);
  });
});

describe('transaction metadata', () => {
  /** The metadata of the transactions Neo4j is running now, other than the test's own. */
  async function runningUnits(): Promise<string[]> {
    const rows = await runCypher<{ unit: string | null }>(t, `SHOW TRANSACTIONS YIELD metaData RETURN metaData.unit AS unit`);
    return rows.map((r) => r.unit).filter((u): u is string => u !== null);
  }

  it('names the unit of work of each transaction, as SHOW TRANSACTIONS shows it', async () => {
    await t.admin(`mutation { upsertUsers(users: [{ externalId: "meta-1", email: "m1@x.example", displayName: "M" }]) { created } }`);
    const { userByExternalId } = await t.admin<{ userByExternalId: { id: string } }>(`{ userByExternalId(externalId: "meta-1") { id } }`);
    // Hold the user: the next writes to it queue behind the holder, still running. (Audited writes
    // share no lock of their own: their entries are chained after commit, docs/audit.md.)
    const session = t.app.services.db.driver.session();
    const holder = session.beginTransaction();
    await holder.run(`MATCH (u:User {externalId: 'meta-1'}) SET u.lockedBy = 'the test'`);
    const role = t.request(`mutation($u: ID!) { setUserRole(userId: $u, role: AUDITOR) { id } }`, { u: userByExternalId.id });
    const users = t.request(`mutation { upsertUsers(users: [{ externalId: "meta-1", email: "m1@x.example", displayName: "N" }]) { created } }`);
    let seen: string[] = [];
    for (let i = 0; i < 200 && !(seen.includes('auth.setUserRole') && seen.includes('directory.upsertUsers')); i++) {
      seen = await runningUnits();
      await new Promise((r) => setTimeout(r, 50));
    }
    await holder.rollback();
    await session.close();
    expect(seen).toEqual(expect.arrayContaining(['auth.setUserRole', 'directory.upsertUsers']));
    expect((await role).errors).toBeUndefined();
    expect((await users).errors).toBeUndefined();
  });
});

describe('a statement that raced a delete', () => {
  it('is retried with its whole unit of work, as a transient error is: the retry reads the graph as it is now', async () => {
    // A statement that reads a node deleted under it fails with EntityNotFound, a client error the
    // driver would not retry. The first attempt's statement is made to meet one (a node deleted in
    // its own transaction, then read); the second runs the real one.
    let attempts = 0;
    const users = await t.app.services.db.write('test.raced', async (tx) => {
      attempts += 1;
      const raw = (tx as unknown as { raw: { run: (text: string, params?: object) => unknown } }).raw;
      if (attempts === 1) {
        const real = raw.run.bind(raw);
        (tx as unknown as { raw: object }).raw = { run: () => real('CREATE (n:Scratch {x: 1}) WITH n DELETE n WITH n RETURN n.x AS x') };
      }
      return tx.run<{ n: number }>('directory/count-users', { search: null });
    });
    expect(attempts).toBe(2);
    expect(users).toHaveLength(1);
    expect(await count('Scratch')).toBe(0);
  });
});

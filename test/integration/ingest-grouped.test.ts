/**
 * Ingest batches that arrive together share a transaction, one after the other in it
 * (IngestService.writes, src/db/write-groups.ts), and each answers as it would alone: its own
 * counts, its own audit entry (none when it changed nothing); a batch refused inside the
 * transaction (an unknown manager) gets its own error and changes nothing, the others are
 * applied. As in decisions-grouped.test.ts, the test holds a write lock on the users of the first
 * two batches, sends the others while those wait, and lets go once they are all queued.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { quiescent, resetGraph, startTestApp, type GraphQLResponse, type TestApp } from '../helpers/app.js';
import { entriesAfter, headSeq, VERIFY } from '../helpers/audit.js';

let t: TestApp;

const UPSERT = `mutation($u: [UserInput!]!) { upsertUsers(users: $u) { created updated unchanged } }`;
const user = (externalId: string, displayName = externalId, managerExternalId: string | null = null) => ({ externalId, email: `${externalId}@example.com`, displayName, managerExternalId });

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await t.admin(UPSERT, { u: [user('h1'), user('h2'), user('same'), user('kept')] });
});
afterAll(async () => t?.stop());

/** Sends the batches behind two held ones (renaming h1, then h2), so that they queue and then go together; returns their answers. */
async function upsertBehindHeld(batches: ReturnType<typeof user>[][]): Promise<GraphQLResponse<any>[]> {
  const session = t.app.services.db.driver.session();
  const tx = await session.beginTransaction();
  await tx.run(`MATCH (u:User) WHERE u.externalId IN ['h1', 'h2'] SET u.heldByTest = true`);
  const writes = t.app.services.ingest.writes;
  const held = [t.request(UPSERT, { u: [user('h1', `h1 ${Date.now()}`)] }), t.request(UPSERT, { u: [user('h2', `h2 ${Date.now()}`)] })];
  try {
    await vi.waitFor(() => expect(writes.inFlightCount).toBe(2), { timeout: 10_000, interval: 20 });
    const rest = batches.map((u) => t.request(UPSERT, { u }));
    await vi.waitFor(() => expect(writes.queued).toBe(batches.length), { timeout: 10_000, interval: 20 });
    await tx.rollback();
    for (const answer of await Promise.all(held)) expect(answer.data?.upsertUsers).toEqual({ created: 0, updated: 1, unchanged: 0 });
    const answers = await Promise.all(rest);
    await quiescent(t);
    return answers as GraphQLResponse<any>[];
  } finally {
    await session.close();
  }
}

const displayNames = async () => {
  const data = await t.admin<{ users: { edges: { node: { externalId: string; displayName: string } }[] } }>(`{ users(first: 100) { edges { node { externalId displayName } } } }`);
  return new Map(data.users.edges.map((e) => [e.node.externalId, e.node.displayName]));
};

describe('ingest batches that arrive together', () => {
  it('are applied in one transaction, each with its own counts and audit entry', async () => {
    const seq = await headSeq(t);
    const groups = t.app.services.ingest.writes.groups;
    const [a, b, same, unchanged] = await upsertBehindHeld([[user('a1'), user('a2')], [user('b1'), user('b2', 'B two', 'kept')], [user('same', 'renamed')], [user('kept')]]);
    expect(a!.data?.upsertUsers).toEqual({ created: 2, updated: 0, unchanged: 0 });
    expect(b!.data?.upsertUsers).toEqual({ created: 2, updated: 0, unchanged: 0 });
    expect(same!.data?.upsertUsers).toEqual({ created: 0, updated: 1, unchanged: 0 });
    expect(unchanged!.data?.upsertUsers).toEqual({ created: 0, updated: 0, unchanged: 1 });
    const names = await displayNames();
    expect([names.get('same'), names.get('b2'), names.get('a1')]).toEqual(['renamed', 'B two', 'a1']);

    // The held two went alone, the four queued behind them in one transaction.
    expect(t.app.services.ingest.writes.groups - groups).toBe(3);

    // One entry per batch that changed something (the unchanged one records none), the chain intact.
    const entries = (await entriesAfter(t, seq)).filter((e) => e.action === 'INGEST_USERS');
    expect(entries.map((e) => e.after.externalIds).sort()).toEqual([['a1', 'a2'], ['b1', 'b2'], ['h1'], ['h2'], ['same']]);
    for (const entry of entries) expect(entry.actorKind).toBe('ADMIN_TOKEN');
    expect((await t.admin(VERIFY)).verifyAuditLog.ok).toBe(true);
  });

  it('answers a batch refused inside the transaction alone: it changes nothing, the others are applied', async () => {
    const seq = await headSeq(t);
    const [good, refused, other] = await upsertBehindHeld([[user('c1')], [user('d1', 'D one', 'nobody-by-this-id')], [user('e1')]]);
    expect(good!.data?.upsertUsers).toEqual({ created: 1, updated: 0, unchanged: 0 });
    expect(other!.data?.upsertUsers).toEqual({ created: 1, updated: 0, unchanged: 0 });
    expect(refused!.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(refused!.errors?.[0]?.extensions)).toContain('unknown manager nobody-by-this-id');
    const names = await displayNames();
    expect([names.has('c1'), names.has('d1'), names.has('e1')]).toEqual([true, false, true]);
    const entries = (await entriesAfter(t, seq)).filter((e) => e.action === 'INGEST_USERS');
    expect(entries.map((e) => e.after.externalIds).sort()).toEqual([['c1'], ['e1'], ['h1'], ['h2']]);
  });

  it('writes a batch alone, at once, when nothing else is being written', async () => {
    const groups = t.app.services.ingest.writes.groups;
    expect((await t.admin(UPSERT, { u: [user('f1')] })).upsertUsers).toEqual({ created: 1, updated: 0, unchanged: 0 });
    expect(t.app.services.ingest.writes.groups - groups).toBe(1);
  });
});

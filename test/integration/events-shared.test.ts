/**
 * One execution of an event per visibility class (src/events/live-results.ts): subscribers of
 * one class share it, subscribers of different classes on the same stream and the same document
 * each get their own, correct result, and nothing of one class's result reaches another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, parse } from 'graphql';
import { bootstrapAdmin, visibilityClassOf, type Role, type Scope, type Viewer } from '../../src/auth/viewer.js';
import { createLoaders } from '../../src/loaders.js';
import { rawIdOf } from '../../src/ids.js';
import { asLogged } from '../helpers/events-log.js';
import { ADMIN_TOKEN, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { collect, subscribed, wsClient, type Collector } from '../helpers/events-ws.js';
import { sseSubscribe } from '../helpers/events-sse.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';

let t: TestApp;
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};

/** One document for everyone: `user.role` is for the user themself and readers of everything. */
const TASK_EVENTS = `subscription { taskEvents { cursor type task { id state user { id role } } } }`;

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, 6, [{ externalId: 'gh', name: 'GitHub', entitlements: ['gh-read', 'gh-write'] }]);
  for (const u of ['u0', 'u1', 'u2', 'u3', 'u4', 'u5']) ids[u] = await idOf(t, 'user', u);
  ids.entitlement = rawIdOf('Entitlement', await idOf(t, 'entitlement', 'gh-read'));
  // u0 manages everyone (the approver of their requests); u3 and u4 are two admins; u5 an auditor.
  tokens.manager = await tokenFor(t, ids.u0!, ['read', 'request'], 'USER'); // u1's scopes: only the user tells their classes apart
  tokens.own = await tokenFor(t, ids.u1!, ['read', 'request'], 'USER');
  tokens.ownAgain = await tokenFor(t, ids.u1!, ['read', 'request']);
  tokens.other = await tokenFor(t, ids.u2!, ['read', 'request'], 'USER');
  tokens.adminA = await tokenFor(t, ids.u3!, ['read', 'review', 'admin'], 'ADMIN');
  tokens.adminB = await tokenFor(t, ids.u4!, ['read', 'review', 'admin'], 'ADMIN');
  tokens.auditor = await tokenFor(t, ids.u5!, ['read'], 'AUDITOR');
});

afterAll(async () => {
  await t?.stop();
});

const userRoleOf = (event: Record<string, any>) => event.task.user.role as string | null;

describe('live events resolved once per visibility class', () => {
  it('gives subscribers of different classes on one stream their own results, and one class one execution', async () => {
    const names = ['manager', 'own', 'ownAgain', 'other', 'adminA', 'adminB', 'auditor', 'bootstrap'] as const;
    const clients = Object.fromEntries(names.map((name) => [name, wsClient(t.url, name === 'bootstrap' ? ADMIN_TOKEN : tokens[name]!)]));
    const subs = await subscribed(t, names.length, () => Object.fromEntries(names.map((name) => [name, collect(clients[name]!, 'taskEvents', TASK_EVENTS)])) as Record<(typeof names)[number], Collector>);
    // The same class over SSE: yoga's HTTP subscriptions go through the same subscribe.
    const sse = await subscribed(t, 1, () => sseSubscribe(t.url, tokens.adminB!, 'taskEvents', TASK_EVENTS));

    // A task of u1's: its TASK_CREATED reaches everyone who may see it; then one more event on it.
    const { created } = await t.app.services.tasks.create([{ kind: 'GRANT', origin: 'ADMIN', userId: rawIdOf('User', ids.u1!), entitlementId: ids.entitlement! }]);
    const taskId = created[0]!;
    const seeing = ['manager', 'own', 'ownAgain', 'adminA', 'adminB', 'auditor', 'bootstrap'] as const;
    for (const name of seeing) await subs[name].until((events) => events.length >= 1);
    await sse.until((stream) => stream.events().length >= 1);
    const before = { executions: t.app.liveResults.executions, reused: t.app.liveResults.reused };
    // The reads while the event is delivered, by unit of work.
    const db = t.app.services.db;
    const read = db.read.bind(db);
    const reads: string[] = [];
    db.read = ((unit, work) => {
      reads.push(unit);
      return read(unit, work);
    }) as typeof db.read;
    try {
      await db.write('test.events', async (tx) => tx.unit.recordEvents(asLogged([{ type: 'TASK_APPROVED', taskId, userId: rawIdOf('User', ids.u1!) }])));
      for (const name of seeing) await subs[name].until((events) => events.length >= 2);
      await sse.until((stream) => stream.events().length >= 2);
    } finally {
      db.read = read;
    }
    // No subscriber's credential is read for an event (it is in memory), and the task's user is
    // loaded once per class that executed the event (5), not once per subscriber (9).
    expect(reads.filter((unit) => unit.startsWith('auth.'))).toEqual([]);
    expect(reads).toContain('events.enrich');
    expect(reads.filter((unit) => unit === 'loaders.user').length).toBeLessThanOrEqual(5);
    for (const name of seeing) expect(subs[name].events().map((e) => e.type)).toEqual(['TASK_CREATED', 'TASK_APPROVED']);
    // u1 and readers of everything see the role; the manager sees the task but not u1's role.
    for (const name of ['own', 'ownAgain', 'adminA', 'adminB', 'auditor', 'bootstrap'] as const) {
      expect(subs[name].events().map(userRoleOf)).toEqual(['USER', 'USER']);
      expect(subs[name].errors()).toEqual([]);
    }
    expect(subs.manager.events().map(userRoleOf)).toEqual([null, null]);
    const refused = subs.manager.results.flatMap((r) => r.errors ?? []);
    expect(refused.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(sse.events().map(userRoleOf)).toEqual(['USER', 'USER']);
    // Another user's task never reaches u2, shared execution or not.
    expect(subs.other.events()).toEqual([]);
    // Five classes saw it: the two admins (one class, with the SSE stream), the bootstrap admin, the auditor, u1 (two tokens, one class), the manager.
    expect(t.app.liveResults.executions - before.executions).toBe(5);
    expect(t.app.liveResults.reused - before.reused).toBe(3);
    sse.close();
    await Promise.all(Object.values(clients).map((c) => c.dispose()));
  });

  it('puts viewers in one class only when every rule judges them alike', async () => {
    const schema = t.app.yoga.getEnveloped().schema;
    const { created } = await t.app.services.tasks.create([{ kind: 'GRANT', origin: 'ADMIN', userId: rawIdOf('User', ids.u2!), entitlementId: ids.entitlement! }]);
    const task = (await createLoaders(t.app.services.db).task.load(created[0]!))!;
    const delivery = { event: { seq: 1, type: 'TASK_CREATED' as const, at: new Date().toISOString(), taskId: task.id, runId: null, profileId: null, userId: task.userId, payload: null }, task };
    // Everything a task event shows that depends on the viewer: the task, its user's protected fields, its children.
    const document = parse(`subscription { taskEvents { type task { id state user { id role grants { totalCount } memberships { id } } children { id } approvers { id } } } }`);
    const run = async (viewer: Viewer) =>
      JSON.stringify(await execute({ schema, document, rootValue: delivery, contextValue: { viewer, services: t.app.services, loaders: createLoaders(t.app.services.db) } }));
    const user = (userId: string, role: Role, scopes: Scope[], tokenId: string): Viewer => ({ userId: rawIdOf('User', userId), role, scopes: new Set(scopes), tokenId });
    const adminA = user(ids.u3!, 'ADMIN', ['read', 'review', 'admin'], 'ta');
    const adminB = user(ids.u4!, 'ADMIN', ['read', 'review', 'admin'], 'tb');
    const own = user(ids.u2!, 'USER', ['read', 'request'], 't1');
    const ownOtherToken = user(ids.u2!, 'USER', ['read', 'request'], 't2');
    const manager = user(ids.u0!, 'USER', ['read', 'request'], 't3');
    expect(visibilityClassOf(adminA)).toBe(visibilityClassOf(adminB));
    expect(visibilityClassOf(own)).toBe(visibilityClassOf(ownOtherToken));
    expect(visibilityClassOf(bootstrapAdmin)).not.toBe(visibilityClassOf(adminA)); // other scopes
    expect(new Set([adminA, own, manager, bootstrapAdmin].map(visibilityClassOf)).size).toBe(4);
    // One class, one answer: executed apart, the members' results are the same.
    expect(await run(adminA)).toBe(await run(adminB));
    expect(await run(own)).toBe(await run(ownOtherToken));
    // And the classes differ where the rules do.
    expect(await run(own)).not.toBe(await run(manager));
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asLogged, type LooseEvent } from '../helpers/events-log.js';
import { rawIdOf } from '../../src/ids.js';
import { ADMIN_TOKEN, quiescent, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { closeCodeOf, collect, wsClient } from '../helpers/events-ws.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/events-webhook.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';
import { eventually } from '../helpers/sync-seed.js';

let t: TestApp;
let hook: WebhookReceiver;
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};

const seqOf = (cursor: string): number => Number(Buffer.from(cursor, 'base64').toString('utf8').split(':')[1]);

const TASK_EVENTS = `subscription($after: String, $profileId: ID, $userId: ID, $mine: Boolean) {
  taskEvents(after: $after, profileId: $profileId, userId: $userId, assignedToViewer: $mine) { cursor type at task { id state user { id } } }
}`;
const SYNC_EVENTS = `subscription($after: String, $profileId: ID) {
  syncEvents(after: $after, profileId: $profileId) { cursor type at runId profile { id name } progress { processed total } stagedUnenrollments }
}`;

async function append(events: LooseEvent[]): Promise<void> {
  await t.app.services.db.write('test.events', async (tx) => tx.unit.recordEvents(asLogged(events)));
}

/** A real task for `user` (raw ids), created through the task service. */
async function taskFor(user: string, entitlement: string): Promise<string> {
  const { created, existing } = await t.app.services.tasks.create([{ kind: 'GRANT', origin: 'ADMIN', userId: user, entitlementId: entitlement }]);
  return (created[0] ?? existing[0])!;
}

/** Subscriptions the server had registered when the running test began. */
let openedBefore = 0;
beforeEach(() => {
  openedBefore = t.app.services.eventStream.opened;
});

/**
 * graphql-ws has no "subscribed" acknowledgement: waits until the server has registered `count`
 * subscriptions since the running test began (the ones it accepts; a refused one never registers).
 */
async function settle(count: number): Promise<void> {
  await eventually(async () => t.app.services.eventStream.opened >= openedBefore + count);
}

async function graphCount(cypher: string, params: Record<string, unknown> = {}): Promise<number> {
  const session = t.app.services.db.driver.session();
  try {
    const result = await session.run(cypher, params);
    return Number(result.records[0]!.get(0));
  } finally {
    await session.close();
  }
}

beforeAll(async () => {
  hook = await startWebhookReceiver();
  t = await startTestApp({ NOTIFY_WEBHOOK_URL: hook.url, PUBLIC_URL: 'https://governance.example.com', NOTIFY_BASE_DELAY_MS: '50', EVENTS_POLL_MS: '300' });
  await resetGraph(t.app);
  await ingestOrg(t, 4, [{ externalId: 'gh', name: 'GitHub', entitlements: ['gh-read', 'gh-write', 'gh-admin', 'gh-triage'] }]);
  for (const u of ['u0', 'u1', 'u2', 'u3']) ids[u] = rawIdOf('User', await idOf(t, 'user', u));
  for (const e of ['gh-read', 'gh-write', 'gh-admin']) ids[e] = rawIdOf('Entitlement', await idOf(t, 'entitlement', e));
  const profile = await t.admin<{ createAccessProfile: { id: string } }>(`mutation { createAccessProfile(input: { name: "Engineering" }) { id } }`);
  ids.profileGlobal = profile.createAccessProfile.id;
  ids.profile = rawIdOf('AccessProfile', profile.createAccessProfile.id);
  tokens.u0 = await tokenFor(t, await idOf(t, 'user', 'u0'), ['read', 'review'], 'USER');
  tokens.u1 = await tokenFor(t, await idOf(t, 'user', 'u1'), ['read', 'request'], 'USER');
  tokens.u2 = await tokenFor(t, await idOf(t, 'user', 'u2'), ['read', 'request'], 'USER');
  tokens.auditor = await tokenFor(t, await idOf(t, 'user', 'u3'), ['read'], 'AUDITOR');
});

afterAll(async () => {
  await t?.stop();
  await hook?.stop();
});

describe('the WebSocket connection', () => {
  it('is refused with 4403 for a bad token or none', async () => {
    expect(await closeCodeOf(t.url, 'not-a-token')).toBe(4403);
    expect(await closeCodeOf(t.url, null)).toBe(4403);
  });

  it('shares the HTTP plugins: an invalid operation is refused with a coded error', async () => {
    const client = wsClient(t.url, ADMIN_TOKEN);
    const sub = collect(client, 'taskEvents', `subscription { taskEvents { nope } }`);
    await sub.completed;
    expect(JSON.stringify(sub.errors())).toContain('nope');
    await client.dispose();
  });
});

describe('the event log', () => {
  it('keeps no event when the change it describes rolls back', async () => {
    const before = await graphCount('MATCH (e:Event) RETURN count(e)');
    const tasksBefore = await graphCount('MATCH (t:Task) RETURN count(t)');
    await expect(
      t.app.services.db.write('test.events', async (tx) => {
        const { created } = await t.app.services.tasks.createIn(tx, [{ kind: 'GRANT', origin: 'ADMIN', userId: ids.u3!, entitlementId: ids['gh-admin']! }]);
        tx.unit.recordEvents(asLogged([{ type: 'TASK_CREATED', taskId: created[0], userId: ids.u3 }]));
        throw new Error('the change fails after appending');
      }),
    ).rejects.toThrow('the change fails');
    expect(await graphCount('MATCH (e:Event) RETURN count(e)')).toBe(before);
    expect(await graphCount('MATCH (t:Task) RETURN count(t)')).toBe(tasksBefore);
  });
});

describe('taskEvents', () => {
  it('delivers every task transition, in order, with the task as it is now', async () => {
    const client = wsClient(t.url, ADMIN_TOKEN);
    const sub = collect(client, 'taskEvents', TASK_EVENTS);
    await settle(1);
    // Creating the task through the task service appends TASK_CREATED with it; the later transitions are appended here.
    const task = await taskFor(ids.u1!, ids['gh-read']!);
    const later = ['TASK_STEP_APPROVED', 'TASK_APPROVED', 'TASK_DENIED', 'TASK_PROVISIONING', 'TASK_DONE', 'TASK_FAILED', 'TASK_CANCELLED', 'MEMBER_ENROLLED', 'MEMBER_UNENROLLED'] as const;
    for (const type of later) await append([{ type, taskId: task, userId: ids.u1, profileId: ids.profile }]);
    const ofTask = () => sub.events().filter((e) => rawIdOf('Task', e.task.id) === task);
    await sub.until(() => ofTask().length >= later.length + 1);
    expect(ofTask().map((e) => e.type)).toEqual(['TASK_CREATED', ...later]);
    expect(ofTask()[0]!.task.state).toBe('PENDING_APPROVAL');
    expect(rawIdOf('User', ofTask()[0]!.task.user.id)).toBe(ids.u1);
    const seqs = sub.events().map((e) => seqOf(e.cursor));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    await client.dispose();
  });

  it('filters by profile and by user', async () => {
    const client = wsClient(t.url, ADMIN_TOKEN);
    const byProfile = collect(client, 'taskEvents', TASK_EVENTS, { profileId: ids.profileGlobal });
    const byUser = collect(client, 'taskEvents', TASK_EVENTS, { userId: await idOf(t, 'user', 'u2') });
    await settle(2);
    const t1 = await taskFor(ids.u1!, ids['gh-write']!);
    const t2 = await taskFor(ids.u2!, ids['gh-write']!);
    await append([
      { type: 'TASK_APPROVED', taskId: t1, userId: ids.u1, profileId: ids.profile },
      { type: 'TASK_APPROVED', taskId: t2, userId: ids.u2, profileId: null },
      { type: 'TASK_DONE', taskId: t2, userId: ids.u2, profileId: ids.profile },
    ]);
    await byProfile.until((events) => events.some((e) => e.type === 'TASK_DONE'));
    await byUser.until((events) => events.some((e) => e.type === 'TASK_DONE'));
    const seen = (events: Record<string, any>[]) => events.map((e) => [e.type, rawIdOf('Task', e.task.id)]);
    expect(seen(byProfile.events())).toEqual([
      ['TASK_APPROVED', t1],
      ['TASK_DONE', t2],
    ]);
    expect(seen(byUser.events())).toEqual([
      ['TASK_CREATED', t2],
      ['TASK_APPROVED', t2],
      ['TASK_DONE', t2],
    ]);
    await client.dispose();
  });

  it('shows a user their own tasks and those they may decide, never another user’s', async () => {
    // u0 manages everyone: the default request policy makes them the approver of u1's and u2's requests.
    const c0 = wsClient(t.url, tokens.u0!);
    const c1 = wsClient(t.url, tokens.u1!);
    const c2 = wsClient(t.url, tokens.u2!);
    const cAuditor = wsClient(t.url, tokens.auditor!);
    const manager = collect(c0, 'taskEvents', TASK_EVENTS);
    const assigned = collect(c0, 'taskEvents', TASK_EVENTS, { mine: true });
    const own1 = collect(c1, 'taskEvents', TASK_EVENTS);
    const own2 = collect(c2, 'taskEvents', TASK_EVENTS);
    const snooping = collect(c2, 'taskEvents', TASK_EVENTS, { userId: await idOf(t, 'user', 'u1') });
    const auditor = collect(cAuditor, 'taskEvents', TASK_EVENTS);
    await settle(6);
    const ofU1 = await taskFor(ids.u1!, ids['gh-admin']!);
    const ofU2 = await taskFor(ids.u2!, ids['gh-read']!);
    await append([{ type: 'TASK_PROVISIONING', taskId: ofU1, userId: ids.u1 }]);
    await auditor.until((events) => events.length >= 3);
    await own1.until((events) => events.length >= 2);
    await own2.until((events) => events.length >= 1);
    await assigned.until((events) => events.length >= 2);
    await manager.until((events) => events.length >= 2);
    await append([{ type: 'TASK_DONE', taskId: ofU2, userId: ids.u2 }]); // a last event: whatever should not arrive would have by now
    await own2.until((events) => events.some((e) => e.type === 'TASK_DONE'));
    await auditor.until((events) => events.length >= 4);
    const seen = (c: { events(): Record<string, any>[] }) => c.events().map((e) => `${e.type}:${rawIdOf('Task', e.task.id) === ofU1 ? 'u1' : 'u2'}`);
    expect(seen(own1)).toEqual(['TASK_CREATED:u1', 'TASK_PROVISIONING:u1']);
    expect(seen(own2)).toEqual(['TASK_CREATED:u2', 'TASK_DONE:u2']);
    expect(snooping.events()).toEqual([]);
    expect(seen(assigned).slice(0, 2)).toEqual(['TASK_CREATED:u1', 'TASK_CREATED:u2']);
    expect(seen(auditor)).toEqual(['TASK_CREATED:u1', 'TASK_CREATED:u2', 'TASK_PROVISIONING:u1', 'TASK_DONE:u2']);
    for (const c of [own1, own2, assigned, manager, auditor]) expect(c.errors()).toEqual([]);
    await Promise.all([c0.dispose(), c1.dispose(), c2.dispose(), cAuditor.dispose()]);
  });

  it('delivers the transitions of a real request: requestAccess, then approveTask by the manager', async () => {
    const c1 = wsClient(t.url, tokens.u1!);
    const c0 = wsClient(t.url, tokens.u0!);
    const requester = collect(c1, 'taskEvents', TASK_EVENTS);
    const inbox = collect(c0, 'taskEvents', TASK_EVENTS, { mine: true });
    await settle(2);
    const entitlement = await idOf(t, 'entitlement', 'gh-triage');
    const requested = await t.request<{ requestAccess: { id: string } }>(`mutation($e: ID!) { requestAccess(entitlementId: $e) { id } }`, { e: entitlement }, tokens.u1!);
    expect(requested.errors).toBeUndefined();
    const taskId = requested.data!.requestAccess.id;
    await inbox.until((events) => events.some((e) => e.task.id === taskId && e.type === 'TASK_CREATED'));
    const approved = await t.request(`mutation($t: ID!) { approveTask(taskId: $t) { id state } }`, { t: taskId }, tokens.u0!);
    expect(approved.errors).toBeUndefined();
    await requester.until((events) => events.some((e) => e.task.id === taskId && e.type === 'TASK_APPROVED'));
    await inbox.until((events) => events.some((e) => e.task.id === taskId && e.type === 'TASK_APPROVED'));
    const types = requester.events().filter((e) => e.task.id === taskId).map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['TASK_CREATED', 'TASK_APPROVED']);
    await Promise.all([c0.dispose(), c1.dispose()]);
  });

  it('resumes after a dropped connection with nothing lost or repeated, also while events keep coming', async () => {
    const task = await taskFor(ids.u2!, ids['gh-admin']!);
    const first = wsClient(t.url, ADMIN_TOKEN);
    const before = collect(first, 'taskEvents', TASK_EVENTS);
    await settle(1);
    const marker = { type: 'TASK_PROVISIONING' as const, taskId: task, userId: ids.u2 };
    for (let i = 0; i < 3; i += 1) await append([marker]);
    await before.until((events) => events.filter((e) => e.type === 'TASK_PROVISIONING').length >= 3);
    const lastCursor = before.events().at(-1)!.cursor as string;
    await first.dispose(); // the connection drops

    for (let i = 0; i < 5; i += 1) await append([marker]); // missed while away
    // Reconnect while a writer keeps appending: the replay/live seam is crossed under load.
    const writer = (async () => {
      for (let i = 0; i < 20; i += 1) await append([marker]);
    })();
    const second = wsClient(t.url, ADMIN_TOKEN);
    const after = collect(second, 'taskEvents', TASK_EVENTS, { after: lastCursor });
    await writer;
    const head = t.app.services.eventStream.deliveredThrough;
    const { head: logHead } = await t.app.services.db.read('test.events', async (tx) => (await tx.one<{ head: number }>('events/event-bounds'))!);
    await after.until((events) => events.length > 0 && seqOf(events.at(-1)!.cursor) >= logHead);
    const seqs = after.events().map((e) => seqOf(e.cursor));
    const start = seqOf(lastCursor);
    expect(seqs).toEqual(Array.from({ length: logHead - start }, (_, i) => start + 1 + i));
    expect(after.events().every((e) => e.type === 'TASK_PROVISIONING')).toBe(true);
    expect(head).toBeGreaterThan(start);
    await second.dispose();
  });

  it('refuses a bad, a future or a pruned cursor with BAD_USER_INPUT', async () => {
    const client = wsClient(t.url, ADMIN_TOKEN);
    const codes = async (after: string) => {
      const sub = collect(client, 'taskEvents', TASK_EVENTS, { after });
      await sub.completed;
      const errors = sub.errors();
      return { codes: errors.map((e) => e.extensions?.code), message: errors.map((e) => e.message).join(' ') };
    };
    expect((await codes('garbage')).codes).toEqual(['BAD_USER_INPUT']);
    expect((await codes(Buffer.from('Event:99999999').toString('base64'))).codes).toEqual(['BAD_USER_INPUT']);
    const task = await taskFor(ids.u1!, ids['gh-read']!);
    await append([{ type: 'TASK_DONE', taskId: task, userId: ids.u1 }]);
    const oldCursor = Buffer.from('Event:1').toString('base64');
    // Everything written so far falls out of retention.
    await t.app.services.eventStream.prune(new Date(Date.now() + 60_000).toISOString());
    expect(await graphCount('MATCH (e:Event) RETURN count(e)')).toBe(0);
    const pruned = await codes(oldCursor);
    expect(pruned.codes).toEqual(['BAD_USER_INPUT']);
    expect(pruned.message).toMatch(/too old/);
    // The log goes on after pruning: seqs keep growing and a fresh subscriber is served.
    const live = collect(client, 'taskEvents', TASK_EVENTS);
    await settle(1);
    await append([{ type: 'TASK_CANCELLED', taskId: task, userId: ids.u1 }]);
    await live.until((events) => events.some((e) => e.type === 'TASK_CANCELLED'));
    await client.dispose();
  });
});

describe('syncEvents', () => {
  it('delivers every sync transition with progress, filtered by profile, to admins and auditors only', async () => {
    const admin = wsClient(t.url, ADMIN_TOKEN);
    const auditorClient = wsClient(t.url, tokens.auditor!);
    const user = wsClient(t.url, tokens.u1!);
    const all = collect(admin, 'syncEvents', SYNC_EVENTS, { profileId: ids.profileGlobal });
    const auditor = collect(auditorClient, 'syncEvents', SYNC_EVENTS);
    const refused = collect(user, 'syncEvents', SYNC_EVENTS);
    await refused.completed;
    expect(refused.errors().map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    await settle(2);
    const run = 'run-1';
    const other = 'run-other-profile';
    await append([{ type: 'SYNC_STARTED', runId: other, profileId: 'another-profile' }]);
    const steps: LooseEvent[] = [
      { type: 'SYNC_STARTED', runId: run, profileId: ids.profile },
      { type: 'SYNC_PROGRESS', runId: run, profileId: ids.profile, payload: { processed: 500, total: 1000 } },
      { type: 'SYNC_PROGRESS', runId: run, profileId: ids.profile, payload: { processed: 1000, total: 1000 } },
      { type: 'SYNC_COMPLETED', runId: run, profileId: ids.profile },
      { type: 'SYNC_PAUSED', runId: run, profileId: ids.profile, payload: { stagedUnenrollments: 3 } },
      { type: 'SYNC_RESUMED', runId: run, profileId: ids.profile },
      { type: 'SYNC_DISCARDED', runId: run, profileId: ids.profile },
      { type: 'SYNC_FAILED', runId: run, profileId: ids.profile },
    ];
    for (const step of steps) await append([step]);
    await all.until((events) => events.length >= steps.length);
    await auditor.until((events) => events.length >= steps.length + 1);
    expect(all.events().map((e) => e.type)).toEqual(steps.map((s) => s.type));
    expect(all.events()[1]!.progress).toEqual({ processed: 500, total: 1000 });
    expect(all.events()[4]!.stagedUnenrollments).toBe(3);
    expect(all.events()[0]!.profile.name).toBe('Engineering');
    expect(rawIdOf('SyncRun', all.events()[0]!.runId)).toBe(run);
    await Promise.all([admin.dispose(), auditorClient.dispose(), user.dispose()]);
  });
});

describe('the pause notification', () => {
  it('posts the paused sync to the webhook, retrying a failed post, and records it on the event', async () => {
    // The earlier test's pause was notified before this test began (the harness waits for the
    // app to be quiet between tests): the failures asked for below hit this test's post.
    expect(hook.received).toHaveLength(1);
    const runPaused = Buffer.from('SyncRun:run-paused').toString('base64');
    const ofThisRun = () => hook.received.filter((message) => String(message.text).includes(runPaused));
    hook.failNext(2);
    await append([{ type: 'SYNC_PAUSED', runId: 'run-paused', profileId: ids.profile, payload: { stagedUnenrollments: 35 } }]);
    await quiescent(t); // delivered, notified, retried and recorded
    expect(ofThisRun()).toHaveLength(1);
    const text = ofThisRun()[0]!.text as string;
    expect(text).toContain('Engineering');
    expect(text).toContain('35 staged removals');

    expect(text).toContain('https://governance.example.com/graphql');
    expect(await graphCount(`MATCH (e:Event {runId: 'run-paused', type: 'SYNC_PAUSED'}) WHERE e.notifyState = 'SENT' AND e.notifyAttempts = 3 RETURN count(e)`)).toBe(1);
  });
});

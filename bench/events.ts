/**
 * Delay from a committed change to its delivery, with many connected subscribers.
 *
 *   npx tsx bench/events.ts            (1,000 subscribers, 50 events)
 *   BENCH_SUBSCRIBERS=100 BENCH_EVENTS=20 npx tsx bench/events.ts
 *
 * Uses NEO4J_URI when set, else the managed Neo4j instance `events` on port 7705 (started if
 * needed, left running). Each subscriber is its own graphql-ws connection on loopback in this
 * process, subscribed to `taskEvents { cursor type task { id state } }` as an admin. Each event
 * is a task change committed with its event in one transaction; the delay is measured from the
 * moment the commit returned to the moment a subscriber's `next` arrived, for every subscriber.
 * The first BENCH_WARMUP events (default 5) run the same way but are reported apart: right after
 * 1,000 connections opened they meet a cold JIT, cold query plans and the connections' garbage,
 * and a live server is past that. BENCH_VERBOSE=1 prints each event's first and last delivery.
 * Lost deliveries and duplicates (one subscriber receiving one task's event twice) are counted.
 * BENCH_CLIENT_PROCESS=1 opens the clients in a child process instead (the server's process then
 * does only the server's work; the default keeps the figures comparable with earlier runs).
 * Bounded: at most BENCH_WARMUP + BENCH_EVENTS events, each waited on at most 10 s, the whole run at most 5 min.
 */
import { createClient, type Client } from 'graphql-ws';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { taskEvent } from '../src/events/domain.js';
import { createLogger } from '../src/logger.js';
import { startNeo4j } from '../scripts/neo4j.js';
import { percentile, recordResult } from './lib/result.js';
import { graphqlAt } from './lib/graphql.js';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 50);
/** Events committed first and not counted: the first few after 1,000 connections meet cold JIT and query caches. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const TOTAL = WARMUP + EVENTS;
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const deadline = setTimeout(() => {
  process.stderr.write('bench/events: gave up after 5 minutes\n');
  process.exit(2);
}, 300_000);

/** An instant comparable across processes (ms). */
const now = (): number => performance.timeOrigin + performance.now();

interface Clients {
  /** When each subscriber received the task's TASK_APPROVED (at most 10 s of waiting). */
  arrivalsOf(taskId: string): Promise<number[]>;
  /** Deliveries a subscriber had received already (one task's event twice at one subscriber). */
  duplicated(): Promise<number>;
  dispose(): Promise<void>;
}

/** `count` graphql-ws clients in this process, each subscribed to taskEvents as the admin. */
function openClients(wsUrl: string, count: number): Clients {
  // What each subscriber saw: task id -> arrival times; a task twice at one subscriber is a duplicate.
  const arrivals = new Map<string, number[]>();
  const seenBy = Array.from({ length: count }, () => new Set<string>());
  let duplicated = 0;
  const waiting = new Map<string, () => void>();
  const clients: Client[] = [];
  for (let i = 0; i < count; i += 1) {
    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${ADMIN_TOKEN}` }, retryAttempts: 0, lazy: true });
    clients.push(client);
    client.subscribe<{ taskEvents: { type: string; task: { id: string } } }>(
      { query: 'subscription { taskEvents { cursor type task { id state } } }' },
      {
        next: (result) => {
          const at = now();
          const event = result.data?.taskEvents;
          if (!event || event.type !== 'TASK_APPROVED') return;
          const taskId = Buffer.from(event.task.id, 'base64').toString().split(':')[1]!;
          if (seenBy[i]!.has(taskId)) {
            duplicated += 1;
            return;
          }
          seenBy[i]!.add(taskId);
          const list = arrivals.get(taskId) ?? [];
          list.push(at);
          arrivals.set(taskId, list);
          if (list.length >= count) waiting.get(taskId)?.();
        },
        error: (error) => process.stderr.write(`subscriber ${i} failed: ${JSON.stringify(error).slice(0, 300)}\n`),
        complete: () => {},
      },
    );
  }
  return {
    arrivalsOf: async (taskId) => {
      if ((arrivals.get(taskId)?.length ?? 0) < count) {
        const all = new Promise<void>((resolve) => waiting.set(taskId, resolve));
        await Promise.race([all, new Promise((r) => setTimeout(r, 10_000))]);
      }
      return arrivals.get(taskId) ?? [];
    },
    duplicated: async () => duplicated,
    dispose: async () => {
      await Promise.all(clients.map((c) => c.dispose()));
    },
  };
}

type FromChild = { type: 'arrivals'; taskId: string; times: number[] } | { type: 'duplicated'; count: number };

/** The same clients in a child process (BENCH_CLIENT_PROCESS=1): the server's process does only the server's work. */
function clientsInChild(wsUrl: string): Clients {
  const child = fork(fileURLToPath(import.meta.url), ['--clients', wsUrl], { execArgv: process.execArgv });
  const pending = new Map<string, (times: number[]) => void>();
  let duplicated: (count: number) => void = () => {};
  child.on('message', (message: FromChild) => {
    if (message.type === 'arrivals') pending.get(message.taskId)?.(message.times);
    else duplicated(message.count);
  });
  return {
    arrivalsOf: (taskId) =>
      new Promise((resolve) => {
        pending.set(taskId, resolve);
        child.send({ type: 'wait', taskId });
      }),
    duplicated: () =>
      new Promise((resolve) => {
        duplicated = resolve;
        child.send({ type: 'duplicated' });
      }),
    dispose: async () => {
      child.send({ type: 'dispose' });
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** The child's side: open the clients, answer the parent's questions one message each. */
function childMain(wsUrl: string): void {
  clearTimeout(deadline);
  const clients = openClients(wsUrl, SUBSCRIBERS);
  process.on('message', (message: { type: string; taskId?: string }) => {
    if (message.type === 'wait') void clients.arrivalsOf(message.taskId!).then((times) => process.send!({ type: 'arrivals', taskId: message.taskId, times }));
    else if (message.type === 'duplicated') void clients.duplicated().then((count) => process.send!({ type: 'duplicated', count }));
    else void clients.dispose().then(() => process.exit(0));
  });
}

async function main(): Promise<void> {
  const uri = process.env.NEO4J_URI ?? (await startNeo4j({ name: 'events', port: 7705 })).uri;
  const config = parseConfig({
    ...process.env,
    NEO4J_URI: uri,
    ADMIN_TOKEN,
    LOG_LEVEL: 'error',
    // One process opens every connection with one token: the per-user limits are for real clients.
    WS_MAX_CONNECTIONS_PER_USER: String(SUBSCRIBERS + 10),
    RATE_LIMIT_PER_MINUTE: '0',
  });
  const app = await buildApp(config, { logger: createLogger('error') });
  await app.start(0);
  const { services } = app;
  const admin = (query: string, variables: Record<string, unknown>) => graphqlAt(app.url(), ADMIN_TOKEN, query, variables);
  await admin(`mutation($u: [UserInput!]!) { upsertUsers(users: $u) { created } }`, {
    u: [{ externalId: 'bench-user', email: 'bench@example.com', displayName: 'Bench User' }],
  });
  await admin(`mutation { upsertApps(apps: [{ externalId: "bench-app", name: "Bench" }]) { created } }`, {});
  await admin(`mutation($e: [EntitlementInput!]!) { upsertEntitlements(entitlements: $e) { created } }`, {
    e: Array.from({ length: TOTAL }, (_, i) => ({ externalId: `bench-ent-${i}`, appExternalId: 'bench-app', name: `Bench ${i}` })),
  });
  const user = (await admin(`{ userByExternalId(externalId: "bench-user") { id } }`, {})).userByExternalId.id as string;
  const userId = Buffer.from(user, 'base64').toString().split(':')[1]!;
  const entitlementIds: string[] = [];
  for (let i = 0; i < TOTAL; i += 1) {
    const e = (await admin(`query($x: String!) { entitlementByExternalId(externalId: $x) { id } }`, { x: `bench-ent-${i}` })).entitlementByExternalId.id as string;
    entitlementIds.push(Buffer.from(e, 'base64').toString().split(':')[1]!);
  }

  const wsUrl = app.url().replace(/^http/, 'ws');
  const connectStart = performance.now();
  const clients = process.env.BENCH_CLIENT_PROCESS ? clientsInChild(wsUrl) : openClients(wsUrl, SUBSCRIBERS);
  while (services.eventStream.subscriberCount < SUBSCRIBERS) {
    if (performance.now() - connectStart > 120_000) throw new Error(`only ${services.eventStream.subscriberCount} of ${SUBSCRIBERS} subscribed`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const connectMs = performance.now() - connectStart;

  const delays: number[] = [];
  const warmupDelays: number[] = [];
  let missing = 0;
  // The base commit (before live-results) has no counter: the same bench runs on both sides.
  const executions = () => (app as { liveResults?: { executions: number } }).liveResults?.executions ?? Number.NaN;
  const executionsBefore = executions();
  let cpu = process.cpuUsage();
  for (let i = 0; i < TOTAL; i += 1) {
    // The process's CPU time over the counted events (server and its in-process clients): steadier than delays on a shared machine.
    if (i === WARMUP) cpu = process.cpuUsage();
    const committedAt = await services.db.write('bench.events', async (tx) => {
      const { created, existing } = await services.tasks.createIn(tx, [{ kind: 'GRANT', origin: 'ADMIN', userId, entitlementId: entitlementIds[i]! }]);
      const taskId = (created[0] ?? existing[0])!;
      tx.unit.recordEvents([taskEvent('TASK_APPROVED', { id: taskId, userId, profileId: null }, { byId: userId, step: 0, comment: null })]);
      return taskId;
    }).then((taskId) => ({ taskId, at: now() }));
    const got = await clients.arrivalsOf(committedAt.taskId);
    missing += SUBSCRIBERS - got.length;
    for (const at of got) (i < WARMUP ? warmupDelays : delays).push(at - committedAt.at);
    if (process.env.BENCH_VERBOSE && got.length > 0) {
      // Per event: the first and the last subscriber's delay (the fan-out's spread).
      process.stdout.write(`  event ${i}${i < WARMUP ? ' (warm-up)' : ''}: first ${(got[0]! - committedAt.at).toFixed(1)} ms, last ${(got.at(-1)! - committedAt.at).toFixed(1)} ms\n`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const used = process.cpuUsage(cpu);
  const cpuPerEvent = (used.user + used.system) / 1000 / EVENTS;
  delays.sort((a, b) => a - b);
  warmupDelays.sort((a, b) => a - b);
  const duplicated = await clients.duplicated();
  const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
  process.stdout.write(
    [
      `events bench: ${SUBSCRIBERS} subscribers (graphql-ws on loopback, ${process.env.BENCH_CLIENT_PROCESS ? 'clients in a child process' : 'one process'}), ${EVENTS} committed task changes, ${delays.length} deliveries, ${missing} missing, ${duplicated} duplicated`,
      `  executions of the events: ${executions() - executionsBefore} (one per event and visibility class; all subscribers are one admin)`,
      `  connect+subscribe all: ${fmt(connectMs)}`,
      `  commit -> delivery: median ${fmt(percentile(delays, 50))}, p99 ${fmt(percentile(delays, 99))}, max ${fmt(delays.at(-1) ?? 0)}`,
      `  CPU time of this process per counted event (${process.env.BENCH_CLIENT_PROCESS ? 'the server alone' : 'server and clients'}): ${fmt(cpuPerEvent)}`,
      `  the ${WARMUP} warm-up events before them (not counted above): median ${fmt(percentile(warmupDelays, 50))}, p99 ${fmt(percentile(warmupDelays, 99))}, max ${fmt(warmupDelays.at(-1) ?? 0)}`,
      '',
    ].join('\n'),
  );
  recordResult(
    'events',
    [
      { name: `commit to delivery p99, ${SUBSCRIBERS} subscribers`, value: percentile(delays, 99), unit: 'ms', target: { value: 100, higherIsBetter: false } },
      { name: `commit to delivery median, ${SUBSCRIBERS} subscribers`, value: percentile(delays, 50), unit: 'ms' },
      { name: `CPU time per event, ${SUBSCRIBERS} subscribers (server and clients in one process)`, value: cpuPerEvent, unit: 'ms' },
      { name: `commit to delivery p99 of the ${WARMUP} warm-up events`, value: percentile(warmupDelays, 99), unit: 'ms' },
      { name: 'deliveries lost', value: missing, unit: 'deliveries', target: { value: 0, higherIsBetter: false } },
      { name: 'deliveries duplicated', value: duplicated, unit: 'deliveries', target: { value: 0, higherIsBetter: false } },
    ],
    { subscribers: SUBSCRIBERS, events: EVENTS, warmup: WARMUP },
  );
  await clients.dispose();
  await app.stop();
  clearTimeout(deadline);
}

if (process.argv[2] === '--clients') childMain(process.argv[3]!);
else main().catch((error: Error) => {
  process.stderr.write(`bench/events failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});

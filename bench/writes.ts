/**
 * Write throughput: independent audited writes per second through the API at 16 concurrent
 * clients (docs/performance.md, "Write throughput").
 *
 *   npx tsx bench/writes.ts                         (16 clients, 20 s per phase)
 *   BENCH_CLIENTS=8 BENCH_SECONDS=10 npx tsx bench/writes.ts
 *
 * Uses NEO4J_URI when set, else the managed Neo4j instance `writes` on port 7707 (started if
 * needed, left running). The graph is EMPTIED first: point it at a throwaway database only.
 *
 * Three phases, each BENCH_SECONDS long, each client sending its next request as soon as the last
 * one answered (closed loop), every request a GraphQL mutation over HTTP on loopback:
 *   approvals  every client is a reviewer approving tasks of its own requesters on its own
 *              entitlement (one-step policy naming that reviewer; AUTOMATIC app, so an approval
 *              provisions the grant at once): no two clients touch the same task, user or
 *              entitlement;
 *   ingest     every client upserts its own BENCH_BATCH users, renamed each time (every batch
 *              changes something);
 *   mixed      half the clients approve, half ingest.
 * Tasks are created beforehand through the services (not measured). Each phase prints writes/s
 * and the p50/p99 latency; the run ends with the audit chain's verification.
 * BENCH_CPU_PROF=<phase> writes that phase's CPU profile of this process (API and clients) to
 * bench/results/prof/ and prints where its time went (bench/lib/cpu-profile.ts).
 */
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { directoryReads } from '../src/directory/repository.js';
import { encodeGlobalId } from '../src/ids.js';
import { createLogger } from '../src/logger.js';
import type { TaskRequest } from '../src/workflow/records.js';
import { startNeo4j } from '../scripts/neo4j.js';
import { cpuSince, managedNeo4jPid, profiled } from './lib/cpu-profile.js';
import { recordResult } from './lib/result.js';
import { graphqlAt } from './lib/graphql.js';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const BATCH = Number(process.env.BENCH_BATCH ?? 20);
/**
 * Tasks prepared per approving client, for the approvals and the mixed phase together: 30 per
 * second ran out on a quiet machine (324 approvals/s at 16 clients is about 20 per client and
 * second, and a mixed phase's approving half goes faster).
 */
const TASKS_PER_CLIENT = Number(process.env.BENCH_TASKS ?? Math.max(200, SECONDS * 80));
const ADMIN_TOKEN = 'bench-admin-token-0123456789';

const deadline = setTimeout(() => {
  process.stderr.write('bench/writes: gave up after 15 minutes\n');
  process.exit(2);
}, 900_000);

/** How the entries were chained, when the audit trail has a sealer (chained after commit). */
function sealerLine(audit: object): string[] {
  const sealer = (audit as { sealer?: { passes: number; sealedCount: number } }).sealer;
  if (!sealer || sealer.passes === 0) return [];
  return [`  chained after commit: ${sealer.sealedCount} entries in ${sealer.passes} sealing passes (${(sealer.sealedCount / sealer.passes).toFixed(1)} per pass)`];
}

/** How the events were sequenced, when the event log has a sequencer (seqs given after commit). */
function sequencerLine(services: object): string[] {
  const sequencer = (services as { eventSequencer?: { passes: number; sequencedCount: number } }).eventSequencer;
  if (!sequencer || sequencer.passes === 0) return [];
  return [`  sequenced after commit: ${sequencer.sequencedCount} events in ${sequencer.passes} passes (${(sequencer.sequencedCount / sequencer.passes).toFixed(1)} per pass)`];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface Phase {
  name: string;
  writes: number;
  /** Writes by kind (approvals, ingest batches). */
  byKind: Record<string, number>;
  errors: number;
  seconds: number;
  latencies: number[];
  /** Statements run during the phase, per write, by name (the sealing and sequencing passes included). */
  statements: Map<string, number>;
  /** CPU per write in ms: this process (the API and its clients) and the Neo4j server (NaN when not local). */
  apiCpuMs: number;
  neo4jCpuMs: number;
}

async function main(): Promise<void> {
  const uri = process.env.NEO4J_URI ?? (await startNeo4j({ name: 'writes', port: 7707 })).uri;
  const config = parseConfig({ ...process.env, NEO4J_URI: uri, ADMIN_TOKEN, LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '0' });
  const neo4jPid = managedNeo4jPid(uri);
  const app = await buildApp(config, { logger: createLogger('error') });
  await app.start(0);
  const { services } = app;
  const url = app.url();
  const post = (token: string, query: string, variables: Record<string, unknown>) => graphqlAt(url, token, query, variables);

  try {
    await services.db.emptyGraph();
    const setupStart = Date.now();
    // Reviewers rev<k>, requesters req<k>-<i>, ingest users ing<k>-<i>.
    const reviewers = Array.from({ length: CLIENTS }, (_, k) => `rev${k}`);
    const requesters = Array.from({ length: CLIENTS }, (_, k) => Array.from({ length: TASKS_PER_CLIENT }, (_, i) => `req${k}-${i}`));
    const everyone = [...reviewers, ...requesters.flat()].map((externalId) => ({ externalId, email: `${externalId}@example.com`, displayName: externalId }));
    for (let i = 0; i < everyone.length; i += 5000) await services.ingest.upsertUsers(everyone.slice(i, i + 5000));
    await services.ingest.upsertApps([{ externalId: 'bench-app', name: 'Bench', provisioning: 'AUTOMATIC' }]);
    const reviewerRows = await services.db.read('bench.writes', (tx) => directoryReads.usersByExternalId(tx, reviewers));
    const reviewerId = new Map(reviewerRows.map((u) => [u.externalId, u.id]));
    const policies: { id: string }[] = [];
    for (const externalId of reviewers) policies.push(await services.profiles.createPolicy(`Review by ${externalId}`, [{ approverType: 'USERS', userIds: [reviewerId.get(externalId)!] }]));
    await services.ingest.upsertEntitlements(
      reviewers.map((_, k) => ({ externalId: `ent${k}`, appExternalId: 'bench-app', name: `Entitlement ${k}`, requestPolicyId: encodeGlobalId('Policy', policies[k]!.id) })),
    );
    const entitlements = await services.db.read('bench.writes', (tx) => directoryReads.entitlementsByExternalId(tx, reviewers.map((_, k) => `ent${k}`)));
    const entitlementId = new Map(entitlements.map((e) => [e.externalId, e.id]));
    const queues: string[][] = [];
    for (let k = 0; k < CLIENTS; k += 1) {
      const users = await services.db.read('bench.writes', (tx) => directoryReads.usersByExternalId(tx, requesters[k]!));
      const requests: TaskRequest[] = users.map((u) => ({ kind: 'GRANT', origin: 'ADMIN', userId: u.id, entitlementId: entitlementId.get(`ent${k}`)! }));
      const created = await services.tasks.create(requests);
      queues.push(created.created.map((id) => encodeGlobalId('Task', id)));
    }
    const tokens: string[] = [];
    for (const externalId of reviewers) {
      const created = await services.auth.createToken(reviewerId.get(externalId)!, `bench ${externalId}`, ['read', 'review'], null);
      tokens.push(created.token);
    }
    await app.idle();
    process.stdout.write(
      `setup: ${CLIENTS} reviewers, ${queues.reduce((n, q) => n + q.length, 0)} pending tasks, in ${((Date.now() - setupStart) / 1000).toFixed(1)} s\n`,
    );

    let round = 0;
    const approve = (k: number) => async () => {
      const task = queues[k]!.shift();
      if (!task) throw new Error(`client ${k} ran out of tasks: raise BENCH_TASKS`);
      await post(tokens[k]!, `mutation($id: ID!) { approveTask(taskId: $id, comment: "ok") { id state } }`, { id: task });
    };
    const ingest = (k: number) => async () => {
      round += 1;
      const users = Array.from({ length: BATCH }, (_, i) => ({ externalId: `ing${k}-${i}`, email: `ing${k}-${i}@example.com`, displayName: `Ingested ${k}-${i} r${round}` }));
      await post(ADMIN_TOKEN, `mutation($u: [UserInput!]!) { upsertUsers(users: $u) { created updated } }`, { u: users });
    };
    const phase = async (name: string, work: { kind: string; one: () => Promise<void> }[]): Promise<Phase> => {
      const latencies: number[] = [];
      const byKind: Record<string, number> = {};
      let errors = 0;
      let firstError = '';
      const counted = new Map(services.db.statementCounts);
      const stopProfile = await profiled(name);
      const cpuUsed = cpuSince(neo4jPid);
      const start = performance.now();
      const end = start + SECONDS * 1000;
      await Promise.all(
        work.map(async ({ kind, one }) => {
          while (performance.now() < end) {
            const t0 = performance.now();
            try {
              await one();
              latencies.push(performance.now() - t0);
              byKind[kind] = (byKind[kind] ?? 0) + 1;
            } catch (error) {
              errors += 1;
              firstError ||= (error as Error).message;
              if (firstError.includes('ran out of tasks')) return;
            }
          }
        }),
      );
      const seconds = (performance.now() - start) / 1000;
      if (firstError) process.stderr.write(`  ${name}: ${errors} errors, the first: ${firstError}\n`);
      await app.idle();
      const cpu = cpuUsed();
      const neo4jCpuMs = cpu.neo4jMs / Math.max(1, latencies.length);
      const apiCpuMs = cpu.hereMs / Math.max(1, latencies.length);
      await stopProfile();
      const statements = new Map<string, number>();
      for (const [statement, n] of services.db.statementCounts) {
        const ran = n - (counted.get(statement) ?? 0);
        if (ran > 0) statements.set(statement, ran / Math.max(1, latencies.length));
      }
      return { name, writes: latencies.length, byKind, errors, seconds, latencies: latencies.sort((a, b) => a - b), statements, apiCpuMs, neo4jCpuMs };
    };

    const clients = Array.from({ length: CLIENTS }, (_, k) => k);
    const approving = (k: number) => ({ kind: 'approvals', one: approve(k) });
    const ingesting = (k: number) => ({ kind: 'ingest batches', one: ingest(k) });
    // Warm up (statements planned, ingest users created: the measured batches update them).
    for (const k of clients) await approve(k)();
    for (const k of clients) await ingest(k)();
    await app.idle();
    const results: Phase[] = [];
    results.push(await phase('approvals', clients.map(approving)));
    results.push(await phase('ingest', clients.map(ingesting)));
    results.push(await phase('mixed', clients.map((k) => (k % 2 === 0 ? approving(k) : ingesting(k)))));

    const verifyStart = performance.now();
    const verification = await services.audit.verify();
    const verifyMs = performance.now() - verifyStart;
    const line = (p: Phase) =>
      `  ${p.name.padEnd(10)} ${(p.writes / p.seconds).toFixed(1).padStart(7)} writes/s   p50 ${percentile(p.latencies, 50).toFixed(0).padStart(5)} ms   p99 ${percentile(p.latencies, 99).toFixed(0).padStart(5)} ms   (${Object.entries(p.byKind).map(([kind, n]) => `${n} ${kind}`).join(' + ') || 'none'} in ${p.seconds.toFixed(1)} s, ${p.errors} errors)\n${''.padEnd(13)}CPU per write: ${p.apiCpuMs.toFixed(2)} ms this process (API and clients), ${Number.isNaN(p.neo4jCpuMs) ? 'Neo4j not local' : `${p.neo4jCpuMs.toFixed(2)} ms Neo4j`}`;
    process.stdout.write(
      [
        `writes bench: ${CLIENTS} concurrent clients, ${SECONDS} s per phase, ingest batches of ${BATCH} users`,
        ...results.map(line),
        'statements per write (the passes after commit shared among the writes they served):',
        ...results.map((p) => {
          const total = [...p.statements.values()].reduce((a, b) => a + b, 0);
          const named = [...p.statements].sort((a, b) => b[1] - a[1]).map(([statement, n]) => `${statement} ${n.toFixed(2)}`);
          return `  ${p.name.padEnd(10)} ${total.toFixed(1)}: ${named.join(', ')}`;
        }),
        `  audit chain: ${verification.ok ? 'intact' : `BROKEN at ${verification.firstBrokenSeq} (${verification.problem})`}, ${verification.checked} entries verified in ${verifyMs.toFixed(0)} ms`,
        ...sealerLine(services.audit),
        ...sequencerLine(services),
        'slowest statements:',
        ...services.db.slowestStatements().map((s) => `  ${s}`),
        '',
      ].join('\n'),
    );
    // Target: 10x the ~32 independent writes/s measured before the chain was sealed after commit.
    recordResult(
      'writes',
      results.map((p) => ({ name: `${p.name} at ${CLIENTS} clients`, value: p.writes / p.seconds, unit: 'writes/s', target: { value: 320, higherIsBetter: true } })),
      {
        clients: CLIENTS,
        seconds: SECONDS,
        chainIntact: verification.ok,
        cpuMsPerWrite: Object.fromEntries(results.map((p) => [p.name, { api: p.apiCpuMs, neo4j: p.neo4jCpuMs }])),
      },
    );
  } finally {
    await app.stop();
    clearTimeout(deadline);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench/writes failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});

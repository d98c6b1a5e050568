/**
 * Sync benchmark: generates an organisation with batched Cypher (BENCH_USERS users, default 50,000;
 * BENCH_GRANTS grants, 500,000; BENCH_PROFILES profiles, 200, each with an enabled automation whose
 * condition is two entitlements; BENCH_AUTO_PROFILES of them, default 10%, have a zero-step
 * (auto-approve) enrollment policy and two items, so their enrollments complete at once and the
 * enrollment cascade creates item tasks in the same transaction), then prints:
 *   - the first sync of every profile (tasks created per second), the pending-policy profiles and
 *     the auto-approve ones apart (what the cascade adds); of the pending-policy profiles, half are
 *     synced one after the other (sync(), what an admin's "Sync now" does for one profile) and half
 *     as one scheduled round (syncMany(): parts of 25 profiles, several parts and several runs of
 *     a part at once; what the first round after an organisation's automations are switched on
 *     does), each with the CPU per task of this process and of Neo4j,
 *   - a steady-state sync of every profile with nothing to do (seconds, one after the other),
 *   - a scheduled round with nothing changed (only the "needs sync" marks are read), and a full
 *     reconciliation (a scheduled round with every profile due),
 *   - the delay from an ingest (upsertGrants) of a condition grant to the enrollment task it causes,
 *   - after each phase, the statements that took longest (services.db.slowestStatements()).
 * Starts its own Neo4j ('bench', port 7715, heap 4g, page cache 2g) unless NEO4J_URI is set.
 *   npx tsx bench/sync.ts            BENCH_USERS=5000 BENCH_GRANTS=50000 BENCH_PROFILES=20 npx tsx bench/sync.ts
 */
import { randomUUID } from 'node:crypto';
import neo4j from 'neo4j-driver';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import type { SyncOutcome } from '../src/sync/records.js';
import { startNeo4j, stopNeo4j } from '../scripts/neo4j.js';
import { autoCommit } from './lib/auto-commit.js';
import { cpuSince, managedNeo4jPid } from './lib/cpu-profile.js';
import { recordResult, type Figure } from './lib/result.js';

const USERS = Number(process.env.BENCH_USERS ?? 50_000);
const GRANTS = Number(process.env.BENCH_GRANTS ?? 500_000);
const PROFILES = Number(process.env.BENCH_PROFILES ?? 200);
const AUTO_PROFILES = Math.min(PROFILES, Number(process.env.BENCH_AUTO_PROFILES ?? Math.round(PROFILES / 10)));
const ENTITLEMENTS = Math.max(50, Math.round(USERS / 50));
/** Rows per generating statement. */
const BATCH = 20_000;

let ownNeo4j = false;
let uri = process.env.NEO4J_URI;
if (!uri) {
  uri = (await startNeo4j({ name: 'bench', port: Number(process.env.BENCH_PORT ?? 7715), heap: '4g', pageCache: '2g' })).uri;
  ownNeo4j = true;
}
const app = await buildApp(parseConfig({ ...process.env, NEO4J_URI: uri, LOG_LEVEL: 'error', }), {
  logger: createLogger('error'),
});
const { services } = app;
const driver = services.db.driver;
const run = autoCommit(driver);
const neo4jInt = (n: number) => neo4j.int(n);
const seconds = (from: number) => (performance.now() - from) / 1000;
const resetTimings = () => {
  services.db.statementMillis.clear();
  services.db.statementCounts.clear();
};
const printTimings = (phase: string) => {
  console.log(`  slowest statements (${phase}):`);
  for (const line of services.db.slowestStatements(8)) console.log(`    ${line}`);
  resetTimings();
};

console.log(`generating ${USERS} users, ${ENTITLEMENTS} entitlements, ${GRANTS} grants, ${PROFILES} profiles (${AUTO_PROFILES} auto-approve with 2 items)`);
await services.db.emptyGraph();
const t0 = performance.now();
for (let i = 0; i < USERS; i += BATCH) {
  const rows = Array.from({ length: Math.min(BATCH, USERS - i) }, (_, k) => ({ id: randomUUID(), x: `u${i + k}` }));
  await run(`UNWIND $rows AS r CREATE (:User {id: r.id, externalId: r.x, email: r.x + '@example.com', displayName: r.x, status: 'ACTIVE', role: 'USER', createdAt: $now})`, { rows, now: new Date().toISOString() });
}
await run(`CREATE (a:App {id: randomUUID(), externalId: 'bench-app', name: 'Bench', provisioning: 'AUTOMATIC'})
  WITH a UNWIND range(0, $n - 1) AS i
  CREATE (:Entitlement {id: randomUUID(), externalId: 'e' + i, name: 'e' + i, kind: 'STANDARD'})-[:OF_APP]->(a)`, { n: ENTITLEMENTS });
const perUser = Math.ceil(GRANTS / USERS);
const usersPerBatch = Math.max(1, Math.floor(BATCH / perUser));
for (let i = 0; i < USERS; i += usersPerBatch) {
  const rows: { u: string; e: string; id: string }[] = [];
  for (let k = i; k < Math.min(i + usersPerBatch, USERS); k += 1) {
    const seen = new Set<number>();
    while (seen.size < Math.min(perUser, ENTITLEMENTS)) seen.add(Math.floor(Math.random() * ENTITLEMENTS));
    for (const e of seen) rows.push({ u: `u${k}`, e: `e${e}`, id: randomUUID() });
  }
  await run(`UNWIND $rows AS r MATCH (u:User {externalId: r.u}) MATCH (e:Entitlement {externalId: r.e})
    CREATE (u)-[:HOLDS]->(:Grant {id: r.id, key: u.id + '|' + e.id, grantedAt: $now, direct: true})-[:OF]->(e)`, { rows, now: new Date().toISOString() });
}
const entitlementIdOf = new Map<string, string>(
  (await run(`MATCH (e:Entitlement) WHERE e.externalId STARTS WITH 'e' RETURN e.externalId AS x, e.id AS id`)).map((r) => [r.get('x') as string, r.get('id') as string]),
);
const autoPolicy = AUTO_PROFILES > 0 ? await services.profiles.createPolicy('Bench auto-approve', []) : null;
const profileIds: string[] = [];
const autoProfiles = new Set<string>();
const conditionOf = new Map<string, string[]>();
for (let i = 0; i < PROFILES; i += 1) {
  const auto = i < AUTO_PROFILES;
  const id = await services.profiles.createProfile({ name: `Profile ${i}`, enrollmentPolicyId: auto ? autoPolicy!.id : null });
  const externalIds = [`e${(i * 2) % ENTITLEMENTS}`, `e${(i * 2 + 1) % ENTITLEMENTS}`];
  const ids = externalIds.map((x) => entitlementIdOf.get(x)!);
  if (auto) {
    // Two items from the other end of the entitlements: most members do not hold them yet.
    await services.profiles.addItems(id, [`e${ENTITLEMENTS - 1 - 2 * i}`, `e${ENTITLEMENTS - 2 - 2 * i}`].map((x) => entitlementIdOf.get(x)!), false);
    autoProfiles.add(id);
  }
  await services.membership.saveAutomation(id, { enabled: true, mode: 'SYNC_MEMBERS_AND_ACCESS', conditionEntitlementIds: ids, excludedUserIds: [], pauseOnAnomalies: true }, null, { syncAfter: false });
  profileIds.push(id);
  conditionOf.set(id, externalIds);
}
await app.idle();
const counts = await run(`CALL { MATCH (u:User) RETURN count(u) AS users } CALL { MATCH (g:Grant) RETURN count(g) AS grants } RETURN users, grants`);
console.log(`generated ${counts[0]!.get('users')} users and ${counts[0]!.get('grants')} grants in ${seconds(t0).toFixed(1)} s`);
resetTimings();

const neo4jPid = managedNeo4jPid(uri);

/** The run a sync made (the benchmark's profiles are never busy, paused or disabled). */
const ranRun = async (outcome: Promise<SyncOutcome>) => {
  const o = await outcome;
  if (o.kind !== 'run') throw new Error(`the sync did not run: ${o.kind}`);
  return o.run;
};
const countTasks = async () =>
  (await run(`MATCH (t:Task) RETURN count(t) AS n`))[0]!.get('n') as number;
/** How a first sync runs: sync() for each profile in turn, or syncMany() for them all. */
const HOW = { 'one by one': 'one profile after another', round: 'one scheduled round' } as const;
/** The first sync of `ids`, one profile after another, or as one scheduled round. */
const firstOf = async (ids: string[], how: keyof typeof HOW = 'one by one') => {
  let enrolled = 0;
  const tasksBefore = await countTasks();
  const cpuUsed = cpuSince(neo4jPid);
  const started = performance.now();
  if (how === 'round') {
    const runs = await services.sync.syncMany(ids, 'SCHEDULE');
    if (runs.size !== ids.length) throw new Error(`the round ran ${runs.size} of ${ids.length} profiles`);
    for (const r of runs.values()) enrolled += r.enrollTasksCreated;
  } else {
    for (const id of ids) enrolled += (await ranRun(services.sync.sync(id, 'MANUAL', null))).enrollTasksCreated;
  }
  const took = seconds(started);
  await app.idle();
  const tasks = (await countTasks()) - tasksBefore;
  // CPU per task created, both processes: 2 cores give 2,000 ms of it per second.
  const cpu = cpuUsed();
  const usPerTask = (ms: number) => ((ms * 1000) / Math.max(1, tasks)).toFixed(0);
  return { enrolled, tasks, took, cpu: `CPU per task: ${usPerTask(cpu.hereMs)} us this process, ${Number.isNaN(cpu.neo4jMs) ? 'Neo4j not local' : `${usPerTask(cpu.neo4jMs)} us Neo4j`}` };
};
const pendingIds = profileIds.filter((id) => !autoProfiles.has(id));
const half = Math.ceil(pendingIds.length / 2);
const plain = await firstOf(pendingIds.slice(0, half));
console.log(
  `first sync of ${half} profiles, ${HOW['one by one']} (one-step default policy, tasks stay pending): ${plain.enrolled} enrollment tasks in ${plain.took.toFixed(1)} s = ${(plain.enrolled / plain.took).toFixed(0)} tasks/s; ${plain.cpu}`,
);
printTimings(`first sync, pending, ${HOW['one by one']}`);
const round = await firstOf(pendingIds.slice(half), 'round');
console.log(
  `first sync of ${pendingIds.length - half} profiles, ${HOW.round}: ${round.enrolled} enrollment tasks in ${round.took.toFixed(1)} s = ${(round.enrolled / round.took).toFixed(0)} tasks/s; ${round.cpu}`,
);
printTimings(`first sync, pending, ${HOW.round}`);
/** Item tasks per second of auto-approve first syncs, by how they ran (recorded with the figures). */
const itemRates: { how: keyof typeof HOW; rate: number }[] = [];
if (AUTO_PROFILES > 0) {
  const autoIds = [...autoProfiles];
  const autoHalf = Math.ceil(autoIds.length / 2);
  for (const [how, ids] of [['one by one', autoIds.slice(0, autoHalf)], ['round', autoIds.slice(autoHalf)]] as const) {
    if (ids.length === 0) continue;
    const auto = await firstOf(ids, how);
    const items = auto.tasks - auto.enrolled;
    itemRates.push({ how, rate: items / auto.took });
    console.log(
      `first sync of ${ids.length} auto-approve profiles, ${HOW[how]} (enrollment completes, cascade creates item tasks): ${auto.enrolled} enrollments + ${items} item tasks in ${auto.took.toFixed(1)} s = ${(auto.enrolled / auto.took).toFixed(0)} enrollments/s, ${(items / auto.took).toFixed(0)} item tasks/s, ${(auto.tasks / auto.took).toFixed(0)} tasks/s (${((auto.took / auto.enrolled) * 1000).toFixed(2)} ms per enrollment vs ${((plain.took / plain.enrolled) * 1000).toFixed(2)} ms pending); ${auto.cpu}`,
    );
    printTimings(`first sync, auto-approve, ${HOW[how]}`);
  }
}

let nothing = 0;
const steady = performance.now();
for (const id of profileIds) {
  const r = await ranRun(services.sync.sync(id, 'MANUAL', null));
  nothing += r.enrollTasksCreated + r.unenrollTasksCreated + r.cancelledTasks;
}
const steadySeconds = seconds(steady);
console.log(`steady-state sync of ${PROFILES} profiles with nothing to do: ${steadySeconds.toFixed(2)} s = ${((steadySeconds / PROFILES) * 1000).toFixed(0)} ms per profile (${nothing} changes)`);
printTimings('steady state');

// The scheduler's view: a round with nothing marked and every profile reconciled recently syncs
// nothing; a full reconciliation (every profile due) syncs them all, set-based (runner.ts syncMany).
const runsNow = async () => (await run(`MATCH (r:SyncRun) RETURN count(r) AS n`))[0]!.get('n') as number;
let runsBefore = await runsNow();
const quiet = performance.now();
await services.syncTriggers.scheduledRound();
const quietSeconds = seconds(quiet);
console.log(`scheduled round with nothing changed (${PROFILES} profiles): ${(quietSeconds * 1000).toFixed(0)} ms, ${(await runsNow()) - runsBefore} runs`);
runsBefore = await runsNow();
const full = performance.now();
await services.syncTriggers.scheduledRound(Date.now());
const fullSeconds = seconds(full);
console.log(`full reconciliation (scheduled round, every profile due, nothing to do): ${fullSeconds.toFixed(2)} s for ${(await runsNow()) - runsBefore} runs = ${((fullSeconds / PROFILES) * 1000).toFixed(0)} ms per profile`);
printTimings('scheduled rounds');

// Ingest-to-task delay: a user who does not hold a profile's condition gets one of its entitlements.
const target = pendingIds[0] ?? profileIds[0]!;
const [condition] = conditionOf.get(target)!;
const candidates = await run(
  `MATCH (p:AccessProfile {id: $p})-[:ENROLLMENT_ENTITLEMENT]->(en) MATCH (u:User)
   WHERE NOT EXISTS { (p)-[:CONDITION]->(:Entitlement)<-[:OF]-(:Grant)<-[:HOLDS]-(u) } RETURN u.externalId AS x, u.id AS id, en.id AS en LIMIT $n`,
  { p: target, n: neo4jInt(Number(process.env.BENCH_INGESTS ?? 20) + 1) },
);
const delays: number[] = [];
for (const c of candidates) {
  const start = performance.now();
  await services.ingest.upsertGrants([{ userExternalId: c.get('x'), entitlementExternalId: condition! }], null);
  for (;;) {
    const found = await run(`MATCH (:Task {openKey: 'GRANT|' + $u + '|' + $en}) RETURN 1`, { u: c.get('id'), en: c.get('en') });
    const done = await run(`MATCH (:Grant {key: $u + '|' + $en}) RETURN 1`, { u: c.get('id'), en: c.get('en') });
    if (found.length > 0 || done.length > 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  delays.push(performance.now() - start);
  await app.idle();
  // Each ingest is the first change of its burst: past the debounce window of the one before.
  await new Promise((r) => setTimeout(r, services.config.syncDebounceMs + 50));
}
// The first ingest of the run plans its statements on this Neo4j (cold plan cache): reported apart,
// as bench/events.ts reports its warm-up events.
const warmUp = delays.shift()!;
console.log(`ingest delays in order (ms): ${[warmUp, ...delays].map((d) => d.toFixed(0)).join(' ')}`);
delays.sort((a, b) => a - b);
const p99 = delays[Math.min(delays.length - 1, Math.ceil(delays.length * 0.99) - 1)]!;
console.log(
  `ingest -> enrollment task delay (debounce ${services.config.syncDebounceMs} ms, each ingest the first of its burst): median ${delays[Math.floor(delays.length / 2)]!.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${delays.at(-1)!.toFixed(0)} ms over ${delays.length} ingests (the first ingest of the run, not counted: ${warmUp.toFixed(0)} ms)`,
);
printTimings('ingest to task');

const figures: Figure[] = [
  { name: `first sync, enrollment tasks, ${HOW['one by one']}`, value: plain.enrolled / plain.took, unit: 'tasks/s', target: { value: 10_000, higherIsBetter: true } },
  { name: `first sync, enrollment tasks, ${HOW.round}`, value: round.enrolled / round.took, unit: 'tasks/s', target: { value: 10_000, higherIsBetter: true } },
  ...itemRates.map(({ how, rate }) => ({
    name: `first sync of auto-approve profiles, item tasks, ${HOW[how]}`,
    value: rate,
    unit: 'tasks/s',
    target: { value: 5_000, higherIsBetter: true },
  })),
  { name: `steady state, ${PROFILES} profiles one after another`, value: steadySeconds, unit: 's' },
  { name: `scheduled round, nothing changed (${PROFILES} profiles)`, value: quietSeconds, unit: 's', target: { value: 1, higherIsBetter: false } },
  { name: 'full reconciliation', value: fullSeconds, unit: 's', target: { value: 5, higherIsBetter: false } },
  { name: 'ingest to enrollment task p99', value: p99, unit: 'ms', target: { value: 1000, higherIsBetter: false } },
];
recordResult('sync', figures, { users: USERS, grants: GRANTS, profiles: PROFILES, debounceMs: services.config.syncDebounceMs });

await app.stop();
if (ownNeo4j && process.env.BENCH_KEEP !== '1') await stopNeo4j('bench');

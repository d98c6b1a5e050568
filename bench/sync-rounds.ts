/**
 * The first sync of the pending profiles as one scheduled round, several times over on the same
 * warm Neo4j: on the organisation bench/sync.ts left in a Neo4j given by NEO4J_URI, each round
 * undoes the sync's work (tasks, runs, events, memberships) and syncs the first
 * BENCH_ROUND_PROFILES pending profiles (default 90) again with syncMany(), as the scheduler
 * would. Prints per round its tasks/s and the CPU per task of this process and of Neo4j, then the
 * best and the median. bench/sync.ts measures one round after a single warm-up phase; this
 * shows how far the JIT has warmed and how much the machine drifts, so that two commits are
 * compared on rounds of the same warmth (alternate them on one instance).
 *   NEO4J_URI=bolt://127.0.0.1:7715 BENCH_ROUNDS=5 npx tsx bench/sync-rounds.ts
 */
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { autoCommit } from './lib/auto-commit.js';
import { cpuSince, managedNeo4jPid } from './lib/cpu-profile.js';
import { percentile } from './lib/result.js';
import { undoSyncs } from './lib/undo-sync.js';

const uri = process.env.NEO4J_URI;
if (!uri) throw new Error('NEO4J_URI: the Neo4j that bench/sync.ts filled (run it with NEO4J_URI first)');
const PROFILES = Number(process.env.BENCH_ROUND_PROFILES ?? 90);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const app = await buildApp(parseConfig({ ...process.env, NEO4J_URI: uri, LOG_LEVEL: 'error' }), { logger: createLogger('error') });
const { services } = app;
const raw = autoCommit(services.db.driver);
const ids = (await raw(`MATCH (p:AccessProfile) WHERE NOT EXISTS { (p)-[:ENROLLMENT_POLICY]->() } RETURN p.id AS id ORDER BY p.name`))
  .map((r) => r.get('id') as string)
  .slice(0, PROFILES);
const pid = managedNeo4jPid(uri);
const rates: number[] = [];
for (let round = 1; round <= ROUNDS; round += 1) {
  await undoSyncs(raw);
  const cpu = cpuSince(pid);
  const t0 = performance.now();
  const runs = await services.sync.syncMany(ids, 'SCHEDULE');
  if (runs.size !== ids.length) throw new Error(`the round ran ${runs.size} of ${ids.length} profiles`);
  const took = (performance.now() - t0) / 1000;
  await app.idle();
  const used = cpu();
  let tasks = 0;
  for (const run of runs.values()) tasks += run.enrollTasksCreated;
  rates.push(tasks / took);
  const neo4jUs = Number.isNaN(used.neo4jMs) ? 'Neo4j not local' : `${((used.neo4jMs * 1000) / tasks).toFixed(0)} us Neo4j`;
  console.log(`round ${round}: ${runs.size} profiles, ${tasks} enrollment tasks in ${took.toFixed(1)} s = ${(tasks / took).toFixed(0)} tasks/s; CPU per task ${((used.hereMs * 1000) / tasks).toFixed(0)} us this process, ${neo4jUs}`);
}
const sorted = [...rates].sort((a, b) => a - b);
console.log(`best ${sorted.at(-1)!.toFixed(0)} tasks/s, median ${percentile(sorted, 50).toFixed(0)} tasks/s over ${ROUNDS} rounds`);
await app.stop();

/**
 * PROFILE of every statement a first sync runs, on the organisation bench/sync.ts left in Neo4j
 * (run bench/sync.ts with NEO4J_URI first; this resets the sync's work and does it again):
 * per statement, runs, database hits, rows returned, client time; and what the client spent
 * encoding parameters and decoding rows. BENCH_PROFILE_PENDING / BENCH_PROFILE_AUTO: how many
 * pending and auto-approved profiles to sync (default 3 and 1); then a full reconciliation of every
 * profile (a scheduled round with all due). BENCH_PROFILE_PLAIN=1: no PROFILE (times as in
 * production, no database hits). BENCH_PROFILE_PLAN=<statement>, e.g. workflow/complete-grant-tasks:
 * prints that statement's profiled plan (operators, database hits, rows) the first time it runs
 * with more than 100 rows. NEO4J_URI is required.
 *   NEO4J_URI=bolt://127.0.0.1:7750 npx tsx bench/profile-sync.ts
 */
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { Tx } from '../src/db/database.js';
import { toCypherValues } from '../src/db/values.js';
import { createLogger } from '../src/logger.js';
import { autoCommit } from './lib/auto-commit.js';
import { dbHitsOf, printPlan, type Plan } from './lib/plan.js';
import { undoSyncs } from './lib/undo-sync.js';

const uri = process.env.NEO4J_URI;
if (!uri) throw new Error('NEO4J_URI: the Neo4j that bench/sync.ts filled');
const PENDING = Number(process.env.BENCH_PROFILE_PENDING ?? 3);
const AUTO = Number(process.env.BENCH_PROFILE_AUTO ?? 1);
const PROFILE = process.env.BENCH_PROFILE_PLAIN !== '1';
let planOf = process.env.BENCH_PROFILE_PLAN;

const app = await buildApp(parseConfig({ ...process.env, NEO4J_URI: uri, LOG_LEVEL: 'error' }), { logger: createLogger('error') });
const { services } = app;
const raw = autoCommit(services.db.driver);

await undoSyncs(raw);
const profiles = (await raw(`MATCH (p:AccessProfile) RETURN p.id AS id, EXISTS { (p)-[:ENROLLMENT_POLICY]->() } AS auto ORDER BY p.name`)).map((r) => ({ id: r.get('id') as string, auto: r.get('auto') as boolean }));

interface Figures { runs: number; dbHits: number; rows: number; ms: number; serverMs: number }
const byName = new Map<string, Figures>();
let encodeMs = 0;
let decodeMs = 0;
const get = services.db.cypher.get.bind(services.db.cypher);
Tx.prototype.run = async function run(this: Tx, name: string, params: Record<string, unknown> = {}) {
  const self = this as unknown as { raw: { run: (text: string, params: unknown) => Promise<{ records: { toObject(): unknown }[]; summary: { profile: never; resultAvailableAfter: { toNumber?: () => number } | number } }> } };
  const text = (PROFILE ? 'PROFILE ' : '') + get(name);
  services.db.countStatement(name);
  const e0 = performance.now();
  const values = toCypherValues(params);
  encodeMs += performance.now() - e0;
  const started = performance.now();
  const result = await self.raw.run(text, values);
  const ms = performance.now() - started;
  const d0 = performance.now();
  const rows = result.records.map((r) => r.toObject());
  decodeMs += performance.now() - d0;
  const f = byName.get(name) ?? { runs: 0, dbHits: 0, rows: 0, ms: 0, serverMs: 0 };
  f.runs += 1;
  f.dbHits += dbHitsOf(result.summary.profile);
  if (planOf === name && rows.length > 100) {
    console.log(`plan of ${name} (${rows.length} rows):`);
    printPlan(result.summary.profile as Plan);
    planOf = undefined;
  }
  f.rows += rows.length;
  f.ms += ms;
  const after = result.summary.resultAvailableAfter as unknown;
  f.serverMs += typeof after === 'number' ? after : Number(after);
  byName.set(name, f);
  services.db.timeStatement(name, ms);
  return rows as never;
} as never;

// Each write unit of work as a whole (its statements, the finishers' appends and the commit).
const units = new Map<string, { runs: number; ms: number }>();
const write = services.db.write.bind(services.db);
services.db.write = (async (unit: string, work: never) => {
  const t0 = performance.now();
  try {
    return await write(unit, work);
  } finally {
    const u = units.get(unit) ?? { runs: 0, ms: 0 };
    u.runs += 1;
    u.ms += performance.now() - t0;
    units.set(unit, u);
  }
}) as never;
const print = (title: string, took: number, tasks: number) => {
  console.log(`${title}: ${tasks} tasks in ${took.toFixed(2)} s = ${(tasks / took).toFixed(0)} tasks/s; client encode ${encodeMs.toFixed(0)} ms, decode ${decodeMs.toFixed(0)} ms`);
  for (const [name, f] of [...byName].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`  ${name.padEnd(34)} runs ${String(f.runs).padStart(4)}  db hits ${String(f.dbHits).padStart(9)}  rows ${String(f.rows).padStart(6)}  ${f.ms.toFixed(0).padStart(6)} ms (server first row ${f.serverMs.toFixed(0)} ms)`);
  }
  for (const [unit, u] of [...units].sort((a, b) => b[1].ms - a[1].ms)) console.log(`  write ${unit.padEnd(28)} runs ${String(u.runs).padStart(4)}  ${u.ms.toFixed(0).padStart(6)} ms`);
  units.clear();
  byName.clear();
  encodeMs = 0;
  decodeMs = 0;
};
const countTasks = async () => (await raw(`MATCH (t:Task) RETURN count(t) AS n`))[0]!.get('n') as number;
for (const [title, list] of [['pending', profiles.filter((p) => !p.auto).slice(0, PENDING)], ['auto-approved', profiles.filter((p) => p.auto).slice(0, AUTO)]] as const) {
  if (list.length === 0) continue;
  const before = await countTasks();
  const t0 = performance.now();
  for (const p of list) await services.sync.sync(p.id, 'MANUAL', null);
  const took = (performance.now() - t0) / 1000;
  await app.idle();
  print(`first sync, ${list.length} ${title} profiles${PROFILE ? ' (PROFILE)' : ''}`, took, (await countTasks()) - before);
}
// A full reconciliation of every profile (nothing to do now), set-based, as the scheduler runs it.
const r0 = performance.now();
await services.syncTriggers.scheduledRound(Date.now());
print(`full reconciliation of ${profiles.length} profiles`, (performance.now() - r0) / 1000, 0);
await app.stop();

/**
 * Statement latency on a tiny graph (what the test suite feels): a handful of users, one app, a
 * profile with two items, the default one-step policy and an auto-approved profile. Repeats small
 * enrollments, an auto-approved enrollment with its cascade, and task lists, then prints the mean
 * milliseconds per run of every statement (services.db.statementMillis / statementCounts).
 * BENCH_PROFILE=1 also prints the PROFILE (db hits, rows, operators) of the hottest statements.
 *
 *   NEO4J_URI=bolt://127.0.0.1:7760 npx tsx bench/tiny-writes.ts     (EMPTIES that graph)
 */
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { directoryReads } from '../src/directory/repository.js';
import { createLogger } from '../src/logger.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const uri = process.env.NEO4J_URI;
if (!uri) throw new Error('NEO4J_URI is required (the graph is emptied)');

const app = await buildApp(parseConfig({ ...process.env, NEO4J_URI: uri, ADMIN_TOKEN: 'bench-admin-token-0123456789', LOG_LEVEL: 'error' }), {
  logger: createLogger('error'),
});
const { services } = app;
await services.db.emptyGraph();
const users = Array.from({ length: ROUNDS * 3 + 5 }, (_, i) => ({ externalId: `u${i}`, email: `u${i}@example.com`, displayName: `User ${i}` }));
await services.ingest.upsertUsers(users);
await services.ingest.upsertApps([{ externalId: 'app', name: 'App', provisioning: 'AUTOMATIC' }]);
await services.ingest.upsertEntitlements(['a', 'b', 'c'].map((externalId) => ({ externalId, appExternalId: 'app', name: externalId })));
const ents = await services.db.read('bench.tiny', (tx) => directoryReads.entitlementsByExternalId(tx, ['a', 'b', 'c']));
const auto = await services.profiles.createPolicy('Auto', []);
const pending = await services.profiles.createProfile({ name: 'Pending' });
const autoProfile = await services.profiles.createProfile({ name: 'Auto', enrollmentPolicyId: auto.id, bypassItemRequestPolicies: true });
await services.profiles.addItems(autoProfile, ents.slice(0, 2).map((e) => e.id), false);
const [pendingProfile, autoRecord] = await services.db.read('bench.tiny', (tx) => directoryReads.profilesById(tx, [pending, autoProfile]));
const userIds = (await services.db.read('bench.tiny', (tx) => directoryReads.usersByExternalId(tx, users.map((u) => u.externalId)))).map((u) => u.id);
await app.idle();
services.db.statementMillis.clear();
services.db.statementCounts.clear();

const started = performance.now();
for (let i = 0; i < ROUNDS; i += 1) {
  await services.tasks.create([{ kind: 'GRANT', origin: 'MANUAL_ENROLLMENT', userId: userIds[i]!, entitlementId: pendingProfile!.enrollmentEntitlementId, profileId: pending, enrollVia: 'MANUAL' }]);
  await services.tasks.create([{ kind: 'GRANT', origin: 'MANUAL_ENROLLMENT', userId: userIds[ROUNDS + i]!, entitlementId: autoRecord!.enrollmentEntitlementId, profileId: autoProfile, enrollVia: 'MANUAL' }]);
  await services.tasks.list({ states: ['PENDING_APPROVAL'], profileId: null, userId: null, assignedTo: null }, null, 20);
  await services.tasks.list({ states: null, profileId: null, userId: userIds[i]!, assignedTo: null }, null, 20);
}
const took = performance.now() - started;
await app.idle();

console.log(`${ROUNDS} rounds (a pending enrollment, an auto-approved enrollment with 2 items, 2 task lists) in ${(took / 1000).toFixed(2)} s = ${(took / ROUNDS).toFixed(0)} ms per round`);
const rows = [...services.db.statementMillis].map(([name, ms]) => ({ name, ms, runs: services.db.statementCounts.get(name) ?? 0 })).sort((a, b) => b.ms / b.runs - a.ms / a.runs);
for (const r of rows.slice(0, 15)) console.log(`  ${r.name}: ${(r.ms / r.runs).toFixed(1)} ms per run over ${r.runs} runs`);

if (process.env.BENCH_PROFILE === '1') {
  const session = services.db.driver.session();
  try {
    const params = { ids: [userIds[0]!], states: null, profileId: null, userId: userIds[0]!, assignedTo: null, after: null, limit: 20 };
    const result = await session.run(`PROFILE ${services.db.cypher.get('tasks/list-tasks')}`, { ...params, limit: (await import('neo4j-driver')).default.int(20) });
    const walk = (p: any, depth: number): void => {
      console.log(`${'  '.repeat(depth)}${p.operatorType} rows=${p.rows} dbHits=${p.dbHits}`);
      for (const c of p.children ?? []) walk(c, depth + 1);
    };
    walk(result.summary.profile, 1);
  } finally {
    await session.close();
  }
}
await app.stop();

/**
 * Sync benchmark: generates an organisation with batched Cypher (BENCH_USERS users, default 50,000;
 * BENCH_GRANTS grants, 500,000; BENCH_PROFILES profiles, 200, each with an enabled automation whose
 * condition is two entitlements), then prints:
 *   - the first sync of every profile (tasks created per second),
 *   - a steady-state sync of every profile with nothing to do (seconds),
 *   - the delay from an ingest (upsertGrants) of a condition grant to the enrollment task it causes.
 * Starts its own Neo4j ('bench', port 7712, bigger heap and page cache) unless NEO4J_URI is set.
 *   npx tsx bench/sync.ts            BENCH_USERS=5000 BENCH_GRANTS=50000 BENCH_PROFILES=20 npx tsx bench/sync.ts
 */
import { randomUUID } from 'node:crypto';
import { buildApp } from '../src/app.js';
import '../src/capabilities.js';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startNeo4j, stopNeo4j } from '../scripts/neo4j.js';

const USERS = Number(process.env.BENCH_USERS ?? 50_000);
const GRANTS = Number(process.env.BENCH_GRANTS ?? 500_000);
const PROFILES = Number(process.env.BENCH_PROFILES ?? 200);
const ENTITLEMENTS = Math.max(50, Math.round(USERS / 50));
const BATCH = 5000;

let ownNeo4j = false;
let uri = process.env.NEO4J_URI;
if (!uri) {
  uri = (await startNeo4j({ name: 'bench', port: 7712, heap: '2g', pageCache: '1g' })).uri;
  ownNeo4j = true;
}
const app = await buildApp(parseConfig({ ...process.env, NEO4J_URI: uri, LOG_LEVEL: 'error', SYNC_DEBOUNCE_MS: process.env.SYNC_DEBOUNCE_MS ?? '200' }), {
  logger: createLogger('error'),
});
const { services } = app;
const driver = services.db.driver;
const run = async (text: string, params: Record<string, unknown> = {}) => {
  const session = driver.session();
  try {
    return (await session.run(text, params)).records;
  } finally {
    await session.close();
  }
};
const seconds = (from: number) => (performance.now() - from) / 1000;

console.log(`generating ${USERS} users, ${ENTITLEMENTS} entitlements, ${GRANTS} grants, ${PROFILES} profiles`);
await run('MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
const t0 = performance.now();
for (let i = 0; i < USERS; i += BATCH) {
  const rows = Array.from({ length: Math.min(BATCH, USERS - i) }, (_, k) => ({ id: randomUUID(), x: `u${i + k}` }));
  await run(`UNWIND $rows AS r CREATE (:User {id: r.id, externalId: r.x, email: r.x + '@example.com', displayName: r.x, status: 'ACTIVE', role: 'USER', createdAt: $now})`, { rows, now: new Date().toISOString() });
}
await run(`CREATE (a:App {id: randomUUID(), externalId: 'bench-app', name: 'Bench', provisioning: 'AUTOMATIC'})
  WITH a UNWIND range(0, $n - 1) AS i
  CREATE (:Entitlement {id: randomUUID(), externalId: 'e' + i, name: 'e' + i, kind: 'STANDARD'})-[:OF_APP]->(a)`, { n: ENTITLEMENTS });
const perUser = Math.ceil(GRANTS / USERS);
for (let i = 0; i < USERS; i += BATCH) {
  const rows: { u: string; e: string; id: string }[] = [];
  for (let k = i; k < Math.min(i + BATCH, USERS); k += 1) {
    const seen = new Set<number>();
    while (seen.size < perUser) seen.add(Math.floor(Math.random() * ENTITLEMENTS));
    for (const e of seen) rows.push({ u: `u${k}`, e: `e${e}`, id: randomUUID() });
  }
  await run(`UNWIND $rows AS r MATCH (u:User {externalId: r.u}) MATCH (e:Entitlement {externalId: r.e})
    CREATE (u)-[:HOLDS]->(:Grant {id: r.id, key: u.id + '|' + e.id, grantedAt: $now, direct: true})-[:OF]->(e)`, { rows, now: new Date().toISOString() });
}
const profileIds: string[] = [];
const conditionOf = new Map<string, string[]>();
for (let i = 0; i < PROFILES; i += 1) {
  const id = await services.profiles.createProfile({ name: `Profile ${i}` });
  const externalIds = [`e${(i * 2) % ENTITLEMENTS}`, `e${(i * 2 + 1) % ENTITLEMENTS}`];
  const ids = (await run(`MATCH (e:Entitlement) WHERE e.externalId IN $x RETURN e.id AS id`, { x: externalIds })).map((r) => r.get('id') as string);
  await services.profiles.setAutomation(id, { enabled: true, mode: 'SYNC_MEMBERS_AND_ACCESS', conditionEntitlementIds: ids, excludedUserIds: [], pauseOnAnomalies: true });
  profileIds.push(id);
  conditionOf.set(id, externalIds);
}
await services.syncTriggers.idle();
console.log(`generated in ${seconds(t0).toFixed(1)} s`);

let created = 0;
const first = performance.now();
for (const id of profileIds) created += (await services.sync.sync(id, 'MANUAL', null)).enrollTasksCreated;
const firstSeconds = seconds(first);
console.log(`first sync of ${PROFILES} profiles: ${created} enrollment tasks in ${firstSeconds.toFixed(1)} s = ${(created / firstSeconds).toFixed(0)} tasks/s`);

let nothing = 0;
const steady = performance.now();
for (const id of profileIds) {
  const r = await services.sync.sync(id, 'MANUAL', null);
  nothing += r.enrollTasksCreated + r.unenrollTasksCreated + r.cancelledTasks;
}
console.log(`steady-state sync of ${PROFILES} profiles with nothing to do: ${seconds(steady).toFixed(2)} s (${nothing} changes)`);

// Ingest-to-task delay: a user who does not hold a profile's condition gets one of its entitlements.
const target = profileIds[0]!;
const [condition] = conditionOf.get(target)!;
const candidates = await run(
  `MATCH (p:AccessProfile {id: $p})-[:ENROLLMENT_ENTITLEMENT]->(en) MATCH (u:User)
   WHERE NOT EXISTS { (p)-[:CONDITION]->(:Entitlement)<-[:OF]-(:Grant)<-[:HOLDS]-(u) } RETURN u.externalId AS x, u.id AS id, en.id AS en LIMIT 5`,
  { p: target },
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
  await services.syncTriggers.idle();
}
delays.sort((a, b) => a - b);
console.log(`ingest -> enrollment task delay (debounce ${services.config.syncDebounceMs} ms): median ${delays[Math.floor(delays.length / 2)]!.toFixed(0)} ms, max ${delays.at(-1)!.toFixed(0)} ms over ${delays.length} ingests`);

await app.stop();
if (ownNeo4j && process.env.BENCH_KEEP !== '1') await stopNeo4j('bench');

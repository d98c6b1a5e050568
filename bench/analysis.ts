/**
 * Latency of why / who / what-if on a generated organisation, printed as median and p95.
 *
 *   npx tsx bench/analysis.ts                     # 50,000 users, 500,000 grants, 200 profiles
 *   BENCH_USERS=5000 BENCH_GRANTS=50000 BENCH_PROFILES=40 npx tsx bench/analysis.ts   # small
 *
 * Starts its own Neo4j (instance bench-analysis, port 7714) unless NEO4J_URI is set; the graph is
 * generated with batched Cypher (UNWIND, 5,000 rows a batch) following docs/graph-model.md.
 * Set BENCH_PROFILE=1 to print the PROFILE of the biggest statement (the what-if diff).
 */
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import neo4j from 'neo4j-driver';
import { AnalysisService } from '../src/analysis/service.js';
import { parseConfig } from '../src/config.js';
import { Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';
import { SettingsService } from '../src/settings/service.js';
import { startNeo4j, stopNeo4j } from '../scripts/neo4j.js';

const USERS = Number(process.env.BENCH_USERS ?? 50_000);
const GRANTS = Number(process.env.BENCH_GRANTS ?? 500_000);
const PROFILES = Number(process.env.BENCH_PROFILES ?? 200);
const ENTITLEMENTS = Number(process.env.BENCH_ENTITLEMENTS ?? 2_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const BATCH = 5_000;
/** Items are drawn from the first quarter of the entitlements (so profiles overlap), conditions from the rest. */
const ITEM_POOL = Math.floor(ENTITLEMENTS / 4);
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

const started = !process.env.NEO4J_URI;
const uri = process.env.NEO4J_URI ?? (await startNeo4j({ name: 'bench-analysis', port: 7714, heap: '2g', pageCache: '1g' })).uri;
const logger = createLogger('error');
const config = parseConfig({ NEO4J_URI: uri, LOG_LEVEL: 'error' });
const db = new Database({ uri, user: process.env.NEO4J_USER ?? 'neo4j', password: process.env.NEO4J_PASSWORD ?? 'neo4j', database: process.env.NEO4J_DATABASE }, logger);

async function write(query: string, params: Record<string, unknown> = {}): Promise<void> {
  const session = db.driver.session();
  try {
    await session.executeWrite((tx) => tx.run(query, params));
  } finally {
    await session.close();
  }
}

async function batched<T>(rows: T[], query: string): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await write(query, { rows: rows.slice(i, i + BATCH) });
}

// A deterministic generator, so runs compare.
let seed = 42;
/** mulberry32: 32-bit integer arithmetic only, so the sequence does not collapse. */
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
};
const pick = (n: number) => Math.floor(random() * n);

async function generate(): Promise<{ userIds: string[]; entitlementIds: string[]; profileIds: string[] }> {
  await db.emptyGraph();
  await migrate(db);
  log('generating');
  const now = new Date().toISOString();
  const userIds = Array.from({ length: USERS }, () => randomUUID());
  const entitlementIds = Array.from({ length: ENTITLEMENTS }, () => randomUUID());
  const profileIds = Array.from({ length: PROFILES }, () => randomUUID());
  await batched(
    userIds.map((id, i) => ({ id, i })),
    `UNWIND $rows AS r CREATE (:User {id: r.id, externalId: 'u' + r.i, email: 'u' + r.i + '@example.com', displayName: 'User ' + r.i, status: 'ACTIVE', role: 'USER', createdAt: '${now}'})`,
  );
  await write(`CREATE (:App {id: $id, externalId: 'app', name: 'App', provisioning: 'AUTOMATIC'})`, { id: randomUUID() });
  await batched(
    entitlementIds.map((id, i) => ({ id, i })),
    `UNWIND $rows AS r MATCH (a:App {externalId: 'app'}) CREATE (:Entitlement {id: r.id, externalId: 'e' + r.i, name: 'e' + r.i, kind: 'STANDARD'})-[:OF_APP]->(a)`,
  );
  // Profiles: 5 items and 1 to 2 condition entitlements each, drawn from the first 500 entitlements
  // (so profiles overlap); RULE members are the condition holders.
  const profiles = profileIds.map((id, i) => ({
    id,
    name: `P${i}`,
    en: randomUUID(),
    ex: randomUUID(),
    items: Array.from({ length: 5 }, () => entitlementIds[pick(ITEM_POOL)]!),
    condition: Array.from({ length: 1 + pick(2) }, () => entitlementIds[ITEM_POOL + pick(ENTITLEMENTS - ITEM_POOL)]!),
  }));
  await batched(
    profiles,
    `UNWIND $rows AS r
     CREATE (p:AccessProfile {id: r.id, name: r.name, allowEnrollmentRequests: false, bypassItemRequestPolicies: false, bypassItemRevokePolicies: false,
             unenrollmentAction: 'REVOKE_UNJUSTIFIED', automationEnabled: true, automationMode: 'SYNC_MEMBERS_AND_ACCESS', pauseOnAnomalies: true})
     CREATE (p)-[:ENROLLMENT_ENTITLEMENT]->(:Entitlement {id: r.en, name: r.name + ' (member)', kind: 'PROFILE_ENROLLMENT'})
     CREATE (p)-[:EXCLUSION_ENTITLEMENT]->(:Entitlement {id: r.ex, name: r.name + ' (excluded)', kind: 'PROFILE_EXCLUSION'})
     WITH p, r
     CALL { WITH p, r UNWIND r.items AS item MATCH (e:Entitlement {id: item}) MERGE (p)-[:INCLUDES]->(e) }
     CALL { WITH p, r UNWIND r.condition AS c MATCH (e:Entitlement {id: c}) MERGE (p)-[:CONDITION]->(e) }`,
  );
  log('direct grants');
  // Direct grants: random (user, entitlement) pairs, with the condition entitlements' holders
  // making up most of the total.
  const pairs = new Set<string>();
  while (pairs.size < GRANTS * 0.8) pairs.add(`${pick(USERS)}|${pick(ENTITLEMENTS)}`);
  await batched(
    [...pairs].map((p) => {
      const [u, e] = p.split('|').map(Number);
      return { id: randomUUID(), u: userIds[u!]!, e: entitlementIds[e!]! };
    }),
    `UNWIND $rows AS r MATCH (u:User {id: r.u}) MATCH (e:Entitlement {id: r.e})
     CREATE (u)-[:HOLDS]->(:Grant {id: r.id, key: r.u + '|' + r.e, grantedAt: '${now}', direct: true})-[:OF]->(e)`,
  );
  log('memberships');
  // Memberships: each profile enrolls (RULE) the holders of its condition, up to the grant budget;
  // 90% of them (the rest drifted or pending) get the items with the profile as source.
  let remaining = GRANTS - pairs.size;
  for (const p of profiles) {
    if (remaining <= 0) break;
    await write(
      `MATCH (p:AccessProfile {id: $id})-[:ENROLLMENT_ENTITLEMENT]->(en)
       MATCH (p)-[:CONDITION]->(:Entitlement)<-[:OF]-(:Grant)<-[:HOLDS]-(u:User)
       WITH DISTINCT p, en, u LIMIT $cap
       CREATE (t:Task {id: randomUUID(), kind: 'GRANT', state: 'DONE', origin: 'SYNC', enrollVia: 'RULE', createdAt: $now, updatedAt: $now})
       CREATE (t)-[:FOR_USER]->(u), (t)-[:ON_ENTITLEMENT]->(en), (t)-[:VIA_PROFILE]->(p)
       CREATE (u)-[:HOLDS]->(g:Grant {id: randomUUID(), key: u.id + '|' + en.id, grantedAt: $now, direct: false, enrolledVia: 'RULE'})-[:OF]->(en)
       CREATE (g)-[:GRANTED_BY]->(t)
       WITH p, u WHERE rand() < 0.9
       MATCH (p)-[:INCLUDES]->(i:Entitlement)
       MERGE (ig:Grant {key: u.id + '|' + i.id})
         ON CREATE SET ig.id = randomUUID(), ig.grantedAt = $now, ig.direct = false
       MERGE (u)-[:HOLDS]->(ig)
       MERGE (ig)-[:OF]->(i)
       MERGE (ig)-[:FROM_PROFILE]->(p)`,
      { id: p.id, now, cap: neo4j.int(Math.max(1, Math.floor(remaining / 6))) },
    );
    const counted = await db.driver.executeQuery('MATCH (g:Grant) RETURN count(g) AS n');
    remaining = GRANTS - (counted.records[0]!.get('n') as number);
  }
  return { userIds, entitlementIds, profileIds };
}

async function time(label: string, runs: number, work: (i: number) => Promise<unknown>): Promise<void> {
  await work(0); // warm-up
  const samples: number[] = [];
  for (let i = 1; i <= runs; i++) {
    const start = performance.now();
    await work(i);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(1);
  process.stdout.write(`${label.padEnd(34)} median ${at(0.5).padStart(8)} ms   p95 ${at(0.95).padStart(8)} ms   (${runs} runs)\n`);
}

try {
  const t0 = performance.now();
  const { userIds, entitlementIds, profileIds } = await generate();
  const counts = await db.driver.executeQuery(
    'MATCH (u:User) WITH count(u) AS users MATCH (g:Grant) WITH users, count(g) AS grants MATCH (p:AccessProfile) RETURN users, grants, count(p) AS profiles',
  );
  const c = counts.records[0]!.toObject();
  process.stdout.write(`generated ${c.users} users, ${c.grants} grants, ${c.profiles} profiles in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);

  const analysis = new AnalysisService(db, new SettingsService(db, config));
  const busiest = (await db.driver.executeQuery('MATCH (e:Entitlement {kind: "STANDARD"})<-[:OF]-(g:Grant) RETURN e.id AS id, count(g) AS n ORDER BY n DESC LIMIT 1')).records[0]!;
  const items = (await db.driver.executeQuery('MATCH (p:AccessProfile)-[:INCLUDES]->(e) RETURN e.id AS id LIMIT 50')).records.map((r) => r.get('id') as string);
  const biggestProfile = (
    await db.driver.executeQuery('MATCH (p:AccessProfile)-[:ENROLLMENT_ENTITLEMENT]->(en)<-[:OF]-(g) RETURN p.id AS id, count(g) AS n ORDER BY n DESC LIMIT 1')
  ).records[0]!;
  process.stdout.write(`busiest entitlement: ${busiest.get('n')} holders; biggest profile: ${biggestProfile.get('n')} members\n`);

  await time('why (random user, profile item)', RUNS, (i) => analysis.explainAccess(userIds[(i * 7919) % userIds.length]!, items[i % items.length]!));
  await time('who (busiest entitlement, 50)', RUNS, () => analysis.holders(busiest.get('id'), { sourceType: null, profileId: null }, null, 51));
  await time('who (filter PROFILE, 50)', RUNS, (i) => analysis.holders(items[i % items.length]!, { sourceType: 'PROFILE', profileId: null }, null, 51));
  await time('what-if (saved automation)', Math.min(RUNS, 10), (i) => analysis.whatIf(profileIds[i % profileIds.length]!, {}));
  await time('what-if (biggest profile, +1 cond)', Math.min(RUNS, 10), (i) =>
    analysis.whatIf(biggestProfile.get('id'), { conditionIds: [entitlementIds[ITEM_POOL + (i % (ENTITLEMENTS - ITEM_POOL))]!] }),
  );
  await time('blast radius (disable biggest)', 5, () => analysis.blastRadius('DISABLE_PROFILE', biggestProfile.get('id'), null));
  await time('unjustified grants (page of 50)', 5, () => analysis.unjustifiedGrants(null, 51, false));
  await time('unjustified grants (page + count)', 3, () => analysis.unjustifiedGrants(null, 51, true));

  if (process.env.BENCH_PROFILE === '1') {
    const saved = (await db.read('bench.analysis', (tx) => tx.one<{ conditionIds: string[]; excludedIds: string[] }>('analysis/profile-settings', { profileId: biggestProfile.get('id') })))!;
    const session = db.driver.session();
    const result = await session.run(`PROFILE ${db.cypher.get('analysis/diff-membership')}`, {
      profileId: biggestProfile.get('id'),
      conditionIds: saved.conditionIds,
      excludedIds: saved.excludedIds,
    });
    await session.close();
    const profile = result.summary.profile;
    const hits = (p: typeof profile): number => (p ? p.dbHits + p.children.reduce((s, ch) => s + hits(ch), 0) : 0);
    process.stdout.write(`PROFILE analysis/diff-membership (biggest profile): ${hits(profile)} db hits, ${result.summary.resultAvailableAfter} ms to first result\n`);
  }
} finally {
  await db.close();
  if (started) await stopNeo4j('bench-analysis');
}

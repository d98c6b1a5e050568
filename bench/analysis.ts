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
import { AnalysisService } from '../src/analysis/service.js';
import { parseConfig } from '../src/config.js';
import { Database } from '../src/db/database.js';
import { createLogger } from '../src/logger.js';
import { SettingsService } from '../src/settings/service.js';
import { startNeo4j, stopNeo4j } from '../scripts/neo4j.js';
import { recordResult, type Figure } from './lib/result.js';
import { generateOrg, itemPool } from './org.js';

const USERS = Number(process.env.BENCH_USERS ?? 50_000);
const GRANTS = Number(process.env.BENCH_GRANTS ?? 500_000);
const PROFILES = Number(process.env.BENCH_PROFILES ?? 200);
const ENTITLEMENTS = Number(process.env.BENCH_ENTITLEMENTS ?? 2_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const ITEM_POOL = itemPool({ users: USERS, grants: GRANTS, profiles: PROFILES, entitlements: ENTITLEMENTS });
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

const started = !process.env.NEO4J_URI;
const uri = process.env.NEO4J_URI ?? (await startNeo4j({ name: 'bench-analysis', port: 7714, heap: '2g', pageCache: '1g' })).uri;
const logger = createLogger('error');
const config = parseConfig({ NEO4J_URI: uri, LOG_LEVEL: 'error' });
const db = new Database({ uri, user: process.env.NEO4J_USER ?? 'neo4j', password: process.env.NEO4J_PASSWORD ?? 'neo4j', database: process.env.NEO4J_DATABASE }, logger);

const figures: Figure[] = [];

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
  figures.push({ name: `${label}, median`, value: Number(at(0.5)), unit: 'ms' });
  process.stdout.write(`${label.padEnd(34)} median ${at(0.5).padStart(8)} ms   p95 ${at(0.95).padStart(8)} ms   (${runs} runs)\n`);
}

try {
  const t0 = performance.now();
  const { userIds, entitlementIds, profileIds } = await generateOrg(db, { users: USERS, grants: GRANTS, profiles: PROFILES, entitlements: ENTITLEMENTS }, log);
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
  recordResult('analysis', figures, { users: USERS, grants: GRANTS, profiles: PROFILES });

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

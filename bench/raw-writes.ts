/**
 * The most this Neo4j can write per second of what a first sync and a cascade leave behind,
 * measured with the plainest statement there is: one `UNWIND $rows ... CREATE` per transaction of
 * 5,000 rows, no lookup of an open task, no policy, no check, no lock beyond the creation's own.
 * Each shape is what one task costs in the graph (docs/graph-model.md): its node, its
 * relationships, and its events as the sequencer leaves them. No real statement can write a shape
 * faster than this on the same machine, so the sync and cascade figures read against these
 * (docs/performance.md, "How close to the machine").
 *
 *   npx tsx bench/raw-writes.ts                        (the managed instance `raw` on port 7717)
 *   NEO4J_URI=bolt://127.0.0.1:7699 npx tsx bench/raw-writes.ts
 *
 * Works on labels of its own (BenchRaw*), with the uniqueness constraints ours have; removes its
 * nodes and constraints at the end. BENCH_ROWS rows per shape (default 20,000), twice; the better
 * run is printed. BENCH_RAW_IDS=uuid for the app's id shapes (below).
 */
import { randomUUID } from 'node:crypto';
import neo4j, { type Session } from 'neo4j-driver';
import { startNeo4j } from '../scripts/neo4j.js';
import { noDelayOnBoltSockets } from '../src/db/no-delay.js';
import { cpuMillisOf, managedNeo4jPid } from './lib/cpu-profile.js';
import { recordResult } from './lib/result.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 20_000);
const BATCH = 5000;
const USERS = 5000;
/**
 * BENCH_RAW_IDS=uuid gives users, tasks and open keys the app's own shapes (random UUIDs,
 * `GRANT|<user>|<entitlement-like uuid>`) instead of short sequential strings, to price random
 * keys in the unique indexes; `short` (default) measures the write path alone.
 */
const IDS = process.env.BENCH_RAW_IDS === 'uuid' ? 'uuid' : 'short';
const userIds = Array.from({ length: USERS }, (_, i) => (IDS === 'short' ? `u${i}` : randomUUID()));

const TASK = `CREATE (t:BenchRawTask {id: r.id, kind: 'GRANT', origin: 'SYNC', state: $state, openKey: r.key, openOn: 'e', createdAt: $now, updatedAt: $now, steps: '[]', currentStep: 0})`;
/** An auto-approved item task as a cascade leaves it: the task, its relationships, and the grant it made. */
const ITEM = `UNWIND $rows AS r MATCH (u:BenchRawUser {id: r.u}) ${TASK}
             CREATE (t)-[:FOR_USER]->(u) CREATE (t)-[:ON_ENTITLEMENT]->(e) CREATE (t)-[:VIA_PROFILE]->(p) CREATE (t)-[:CHILD_OF]->(parent)
             CREATE (u)-[:HOLDS]->(g:BenchRawGrant {id: r.id, key: r.key, grantedAt: $now, direct: false})-[:OF]->(e)
             CREATE (g)-[:GRANTED_BY]->(t) CREATE (g)-[:FROM_PROFILE]->(p)`;
const shapes: { name: string; what: string; cypher: string; state: string }[] = [
  {
    name: 'task, 2 relationships',
    what: 'the leanest task there can be: its node (open key and openOn indexed), user, entitlement',
    state: 'PENDING_APPROVAL',
    cypher: `UNWIND $rows AS r MATCH (u:BenchRawUser {id: r.u}) ${TASK} CREATE (t)-[:FOR_USER]->(u) CREATE (t)-[:ON_ENTITLEMENT]->(e)`,
  },
  {
    name: 'pending enrollment task (first sync)',
    what: 'its node; user, entitlement, profile, run; one TASK_CREATED event',
    state: 'PENDING_APPROVAL',
    cypher: `UNWIND $rows AS r MATCH (u:BenchRawUser {id: r.u}) ${TASK}
             CREATE (t)-[:FOR_USER]->(u) CREATE (t)-[:ON_ENTITLEMENT]->(e) CREATE (t)-[:VIA_PROFILE]->(p) CREATE (t)-[:CREATED_BY_RUN]->(run)
             CREATE (:BenchRawEvent {seq: r.seq, type: 'TASK_CREATED', at: $now, taskId: r.id, profileId: 'p', userId: r.u})`,
  },
  {
    name: 'auto-approved item task without events',
    what: 'its node; user, entitlement, profile, parent; a grant (key unique) held, of the entitlement, granted by the task, from the profile',
    state: 'DONE',
    cypher: ITEM,
  },
  {
    name: 'auto-approved item task (cascade)',
    what: 'the same with its TASK_CREATED and TASK_DONE events',
    state: 'DONE',
    cypher: `${ITEM}
             CREATE (:BenchRawEvent {seq: r.seq, type: 'TASK_CREATED', at: $now, taskId: r.id, profileId: 'p', userId: r.u})
             CREATE (:BenchRawEvent {seq: r.seq + 1, type: 'TASK_DONE', at: $now, taskId: r.id, profileId: 'p', userId: r.u})`,
  },
];
/** The shared nodes every row links to, matched once per statement (as ours match an entitlement or a profile by id). */
const shared = `MATCH (e:BenchRawNode {id: 'e'}) MATCH (p:BenchRawNode {id: 'p'}) MATCH (run:BenchRawNode {id: 'run'}) MATCH (parent:BenchRawNode {id: 'parent'}) WITH e, p, run, parent `;

const constraints = [
  'CREATE CONSTRAINT bench_raw_user IF NOT EXISTS FOR (n:BenchRawUser) REQUIRE n.id IS UNIQUE',
  'CREATE CONSTRAINT bench_raw_node IF NOT EXISTS FOR (n:BenchRawNode) REQUIRE n.id IS UNIQUE',
  'CREATE CONSTRAINT bench_raw_task IF NOT EXISTS FOR (n:BenchRawTask) REQUIRE n.id IS UNIQUE',
  'CREATE CONSTRAINT bench_raw_task_key IF NOT EXISTS FOR (n:BenchRawTask) REQUIRE n.openKey IS UNIQUE',
  'CREATE INDEX bench_raw_task_open_on IF NOT EXISTS FOR (n:BenchRawTask) ON (n.openOn)',
  'CREATE INDEX bench_raw_task_state IF NOT EXISTS FOR (n:BenchRawTask) ON (n.state)',
  'CREATE CONSTRAINT bench_raw_grant IF NOT EXISTS FOR (n:BenchRawGrant) REQUIRE n.id IS UNIQUE',
  'CREATE CONSTRAINT bench_raw_grant_key IF NOT EXISTS FOR (n:BenchRawGrant) REQUIRE n.key IS UNIQUE',
  'CREATE CONSTRAINT bench_raw_event IF NOT EXISTS FOR (n:BenchRawEvent) REQUIRE n.seq IS UNIQUE',
];

async function clear(session: Session, labels: string[]): Promise<void> {
  for (const label of labels) await session.run(`MATCH (n:${label}) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS`);
}

async function main(): Promise<void> {
  const uri = process.env.NEO4J_URI ?? (await startNeo4j({ name: 'raw', port: 7717 })).uri;
  noDelayOnBoltSockets();
  const driver = neo4j.driver(uri, neo4j.auth.basic(process.env.NEO4J_USER ?? 'neo4j', process.env.NEO4J_PASSWORD ?? 'neo4j'), { disableLosslessIntegers: true });
  const neo4jPid = managedNeo4jPid(uri);
  const session = driver.session();
  const results: { name: string; what: string; perSecond: number; neo4jCpuMs: number | null }[] = [];
  try {
    for (const statement of constraints) await session.run(statement);
    await session.run('CALL db.awaitIndexes(60)');
    await clear(session, ['BenchRawTask', 'BenchRawGrant', 'BenchRawEvent', 'BenchRawUser', 'BenchRawNode']);
    await session.run(`UNWIND $ids AS id CREATE (:BenchRawUser {id: id})`, { ids: userIds });
    await session.run(`UNWIND ['e', 'p', 'run', 'parent'] AS id CREATE (:BenchRawNode {id: id})`);
    process.stdout.write(`raw writes: ${ROWS} rows per shape, ${BATCH} per transaction, ${IDS} ids, plain CREATE, twice each (the better run)${neo4jPid === null ? '; Neo4j not local, its CPU not read' : ''}\n`);
    let next = 0;
    for (const shape of shapes) {
      let best = { perSecond: 0, neo4jCpuMs: null as number | null };
      for (let run = 0; run < 2; run += 1) {
        await clear(session, ['BenchRawTask', 'BenchRawGrant', 'BenchRawEvent']);
        const server0 = cpuMillisOf(neo4jPid);
        const started = performance.now();
        for (let from = 0; from < ROWS; from += BATCH) {
          const rows = Array.from({ length: Math.min(BATCH, ROWS - from) }, (_, k) => {
            next += 2;
            const u = userIds[(from + k) % USERS]!;
            if (IDS === 'short') return { id: `t${next}`, u, key: `k${next}`, seq: next };
            return { id: randomUUID(), u, key: `GRANT|${u}|${randomUUID()}`, seq: next };
          });
          const cypher = shape.cypher.replace('UNWIND $rows AS r', `${shared} UNWIND $rows AS r`);
          await session.executeWrite((tx) => tx.run(cypher, { rows, now: new Date().toISOString(), state: shape.state }));
        }
        const seconds = (performance.now() - started) / 1000;
        const server1 = cpuMillisOf(neo4jPid);
        const perSecond = ROWS / seconds;
        if (perSecond > best.perSecond) best = { perSecond, neo4jCpuMs: Number.isNaN(server1 - server0) ? null : (server1 - server0) / ROWS };
      }
      results.push({ name: shape.name, what: shape.what, ...best });
      process.stdout.write(
        `  ${shape.name.padEnd(42)} ${best.perSecond.toFixed(0).padStart(7)} rows/s${best.neo4jCpuMs === null ? '' : `   Neo4j CPU ${(best.neo4jCpuMs * 1000).toFixed(0)} us per row`}\n     (${shape.what})\n`,
      );
    }
  } finally {
    await clear(session, ['BenchRawTask', 'BenchRawGrant', 'BenchRawEvent', 'BenchRawUser', 'BenchRawNode']).catch(() => undefined);
    for (const statement of constraints) await session.run(`DROP ${statement.startsWith('CREATE INDEX') ? 'INDEX' : 'CONSTRAINT'} ${statement.split(' ')[2]} IF EXISTS`).catch(() => undefined);
    await session.close();
    await driver.close();
  }
  recordResult('raw-writes', results.map((r) => ({ name: `raw ceiling: ${r.name}`, value: r.perSecond, unit: 'rows/s' })), { rows: ROWS, batch: BATCH, ids: IDS });
}

main().catch((error) => {
  process.stderr.write(`bench/raw-writes failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

/**
 * What one statement and one transaction cost on this machine, whatever they do: trivial
 * statements run one after the other through neo4j-driver (TCP_NODELAY on, as the API runs it),
 * with the wall time and the CPU of both sides per unit of work (this process, and the Neo4j
 * server when it is the project-managed one on this machine). The write benchmarks' ceilings are
 * read against these figures (docs/performance.md, "What a round trip costs").
 *
 *   NEO4J_URI=bolt://127.0.0.1:7715 npx tsx bench/round-trips.ts      (BENCH_RUNS=2000)
 *
 * Touches one node of its own (:BenchScratch), removed at the end.
 */
import neo4j from 'neo4j-driver';
import { noDelayOnBoltSockets } from '../src/db/no-delay.js';
import { cpuSince, managedNeo4jPid } from './lib/cpu-profile.js';

const uri = process.env.NEO4J_URI;
if (!uri) throw new Error('NEO4J_URI is required');
const RUNS = Number(process.env.BENCH_RUNS ?? 2000);
noDelayOnBoltSockets();
const driver = neo4j.driver(uri, neo4j.auth.basic(process.env.NEO4J_USER ?? 'neo4j', process.env.NEO4J_PASSWORD ?? 'neo4j'), { disableLosslessIntegers: true });
const neo4jPid = managedNeo4jPid(uri);
const session = driver.session();
const set = 'MATCH (n:BenchScratch {id: $id}) SET n.v = $v';
const params = () => ({ id: 'round-trips', v: Math.random() });

const cases: [string, () => Promise<unknown>][] = [
  ['auto-commit statement (RETURN 1)', () => session.run('RETURN 1')],
  ['write transaction, 1 statement (SET)', () => session.executeWrite((tx) => tx.run(set, params()))],
  ['write transaction, 5 statements (SET)', () => session.executeWrite(async (tx) => { for (let i = 0; i < 5; i += 1) await tx.run(set, params()); })],
  ['read transaction, 1 statement (RETURN 1)', () => session.executeRead((tx) => tx.run('RETURN 1'))],
];

try {
  await session.run('MERGE (:BenchScratch {id: $id})', { id: 'round-trips' });
  process.stdout.write(`round trips: ${RUNS} runs each, one after the other${neo4jPid === null ? ' (Neo4j not local: its CPU is not read)' : ''}\n`);
  const per: Record<string, { wall: number; client: number; server: number }> = {};
  for (const [name, one] of cases) {
    for (let i = 0; i < Math.min(200, RUNS); i += 1) await one(); // warm-up
    const cpuUsed = cpuSince(neo4jPid);
    const t0 = performance.now();
    for (let i = 0; i < RUNS; i += 1) await one();
    const wall = (performance.now() - t0) / RUNS;
    const cpu = cpuUsed();
    per[name] = { wall, client: cpu.hereMs / RUNS, server: cpu.neo4jMs / RUNS };
    const f = per[name]!;
    process.stdout.write(`  ${name.padEnd(42)} ${f.wall.toFixed(2)} ms wall   CPU: ${f.client.toFixed(2)} ms here, ${Number.isNaN(f.server) ? '?' : f.server.toFixed(2)} ms Neo4j\n`);
  }
  const one = per[cases[1]![0]]!;
  const five = per[cases[2]![0]]!;
  const statement = { client: (five.client - one.client) / 4, server: (five.server - one.server) / 4 };
  process.stdout.write(
    `  so a statement inside a transaction costs ${statement.client.toFixed(2)} ms here and ${statement.server.toFixed(2)} ms in Neo4j, ` +
      `and a write transaction's BEGIN and COMMIT ${(one.client - statement.client).toFixed(2)} ms here and ${(one.server - statement.server).toFixed(2)} ms in Neo4j\n`,
  );
} finally {
  await session.run('MATCH (n:BenchScratch {id: $id}) DELETE n', { id: 'round-trips' });
  await session.close();
  await driver.close();
}

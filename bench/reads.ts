/**
 * Read throughput against @neo4j/graphql: the same five reads, on the same Neo4j and graph,
 * served by our API and by the peer (bench/peer/server.ts, @neo4j/graphql 7 over graphql-yoga,
 * its types mapped onto our labels), each in its own node process, loaded in turn by autocannon
 * (8 connections, closed loop), alternating the servers round by round. Prints req/s, ratio,
 * p50/p99, our statements per request and each server's CPU ms per request; writes
 * bench/results/<date>-reads.json.
 *
 *   NEO4J_URI=bolt://127.0.0.1:7750 BENCH_USERS=10000 npx tsx bench/reads.ts
 *   BENCH_REUSE=1 ...   keep the graph when it already has BENCH_USERS users
 *   BENCH_SECONDS=10 BENCH_ROUNDS=3 BENCH_CONNECTIONS=8 BENCH_ONLY=members,holders
 *
 * Starts its own Neo4j (instance bench-reads, port 7716) unless NEO4J_URI is set. The graph is the
 * one of bench/analysis.ts (bench/org.ts) at BENCH_USERS users, 10 grants a user, a profile per 100.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { Database } from '../src/db/database.js';
import { encodeGlobalId } from '../src/ids.js';
import { createLogger } from '../src/logger.js';
import { startNeo4j, stopNeo4j } from '../scripts/neo4j.js';
import { generateOrg } from './org.js';
import { cpuMillisOf } from './lib/cpu-profile.js';
import { recordResult } from './lib/result.js';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const SIZES = {
  users: USERS,
  grants: Number(process.env.BENCH_GRANTS ?? USERS * 10),
  profiles: Number(process.env.BENCH_PROFILES ?? Math.max(10, Math.round(USERS / 100))),
  entitlements: Number(process.env.BENCH_ENTITLEMENTS ?? 2_000),
};
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const ONLY = process.env.BENCH_ONLY?.split(',');
const ADMIN_TOKEN = 'bench-reads-admin-token-0123456789';
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

const started = !process.env.NEO4J_URI;
const uri = process.env.NEO4J_URI ?? (await startNeo4j({ name: 'bench-reads', port: 7716, heap: '2g', pageCache: '1g' })).uri;
const neo4jAuth = { user: process.env.NEO4J_USER ?? 'neo4j', password: process.env.NEO4J_PASSWORD ?? 'neo4j' };
const db = new Database({ uri, ...neo4jAuth, database: process.env.NEO4J_DATABASE }, createLogger('error'));

interface Read {
  name: string;
  label: string;
  ours: { query: string; variables?: Record<string, unknown> };
  peer: { query: string; variables?: Record<string, unknown> };
  /** The rows each answer holds, to check both servers answer the same amount. */
  rows: (data: Record<string, any>) => number;
}

async function readsOn(): Promise<Read[]> {
  const one = async (query: string) => (await db.driver.executeQuery(query)).records[0]!.toObject() as Record<string, any>;
  const profile = await one(
    // The smallest profile with a full page of members; on a small graph, the biggest.
    `MATCH (p:AccessProfile)-[:ENROLLMENT_ENTITLEMENT]->(en)<-[:OF]-(g:Grant) WITH p, count(g) AS n RETURN p.id AS id, n ORDER BY n >= 50 DESC, CASE WHEN n >= 50 THEN n ELSE -n END, p.id LIMIT 1`,
  );
  const entitlement = await one(`MATCH (e:Entitlement {kind: 'STANDARD'})<-[:OF]-(g:Grant) RETURN e.id AS id, count(g) AS n ORDER BY n DESC, e.id LIMIT 1`);
  const user = await one(`MATCH (u:User)-[:HOLDS]->(g:Grant)-[:FROM_PROFILE]->() RETURN u.id AS id, count(DISTINCT g) AS n ORDER BY n DESC, u.id LIMIT 1`);
  log(`profile with ${profile.n} members, entitlement with ${entitlement.n} holders, user with ${user.n} grants from profiles`);
  const byId = `sort: [{ node: { id: ASC } }]`;
  const reads: Read[] = [
    {
      name: 'users',
      label: '50 users with their grants (entitlement, app)',
      ours: { query: `{ users(first: 50) { edges { node { id displayName grants(first: 50) { edges { node { id grantedAt entitlement { id name app { id name } } } } } } } } }` },
      peer: {
        query: `{ usersConnection(first: 50, sort: [{ id: ASC }]) { edges { node { id displayName grantsConnection(first: 50, ${byId}) { edges { node { id grantedAt entitlement { id name app { id name } } } } } } } } }`,
      },
      rows: (d) => (d.users ?? d.usersConnection).edges.reduce((s: number, e: any) => s + (e.node.grants ?? e.node.grantsConnection).edges.length, 0),
    },
    {
      name: 'members',
      label: "a profile's first 50 members + count",
      ours: { query: `query($id: ID!) { node(id: $id) { ... on AccessProfile { members(first: 50) { totalCount edges { node { id displayName email } } } } } }`, variables: { id: encodeGlobalId('AccessProfile', profile.id) } },
      peer: {
        query: `query($id: ID!) { accessProfiles(where: { id: { eq: $id } }) { enrollmentEntitlement { holdersConnection(first: 50, ${byId}) { totalCount edges { node { user { id displayName email } } } } } } }`,
        variables: { id: profile.id },
      },
      rows: (d) => (d.node ? d.node.members.edges.length : d.accessProfiles[0].enrollmentEntitlement[0].holdersConnection.edges.length),
    },
    {
      name: 'holders',
      label: "an entitlement's first 50 holders",
      ours: { query: `query($id: ID!) { node(id: $id) { ... on Entitlement { holders(first: 50) { edges { node { id grantedAt user { id displayName } } } } } } }`, variables: { id: encodeGlobalId('Entitlement', entitlement.id) } },
      peer: {
        query: `query($id: ID!) { entitlements(where: { id: { eq: $id } }) { holdersConnection(first: 50, ${byId}) { edges { node { id grantedAt user { id displayName } } } } } }`,
        variables: { id: entitlement.id },
      },
      rows: (d) => (d.node ? d.node.holders.edges.length : d.entitlements[0].holdersConnection.edges.length),
    },
    {
      name: 'justified',
      label: "a user's grants with justifying profiles",
      ours: { query: `query($id: ID!) { node(id: $id) { ... on User { grants(first: 50) { edges { node { id entitlement { id name } justifiedBy { id name } } } } } } }`, variables: { id: encodeGlobalId('User', user.id) } },
      peer: {
        query: `query($id: ID!) { users(where: { id: { eq: $id } }) { grantsConnection(first: 50, ${byId}) { edges { node { id entitlement { id name } justifiedBy { id name } } } } } }`,
        variables: { id: user.id },
      },
      rows: (d) => {
        const edges = d.node ? d.node.grants.edges : d.users[0].grantsConnection.edges;
        return edges.reduce((s: number, e: any) => s + 1 + e.node.justifiedBy.length, 0);
      },
    },
  ];
  return reads;
}

interface Server {
  name: 'ours' | 'peer';
  child: ChildProcess;
  url: string;
  statsUrl: string | null;
}

async function startServer(name: 'ours' | 'peer'): Promise<Server> {
  const script = name === 'ours' ? 'bench/peer/ours.ts' : 'bench/peer/server.ts';
  const child = spawn(process.execPath, ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF === name ? ['--cpu-prof', '--cpu-prof-dir=bench/results/prof'] : []), script], {
    env: { ...process.env, NEO4J_URI: uri, NEO4J_USER: neo4jAuth.user, NEO4J_PASSWORD: neo4jAuth.password, ADMIN_TOKEN, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening [^\n]*\n/.exec(out);
      if (match) resolve(match[0].trim());
    });
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code}`)));
  });
  const [, port, statsPort] = line.split(' ');
  return { name, child, url: `http://127.0.0.1:${port}/graphql`, statsUrl: statsPort ? `http://127.0.0.1:${statsPort}/` : null };
}

async function stopServer(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

async function statements(server: Server): Promise<number> {
  if (!server.statsUrl) return Number.NaN;
  const counts = (await (await fetch(server.statsUrl)).json()) as Record<string, number>;
  // The reads' statements only: the event stream's and the sync's background work aside.
  return Object.entries(counts).reduce((sum, [name, n]) => (/^(events|sync|audit)\//.test(name) ? sum : sum + n), 0);
}

const headers = { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` };
const bodyOf = (server: Server, read: Read) => JSON.stringify(read[server.name]);

async function answer(server: Server, read: Read): Promise<number> {
  const response = await fetch(server.url, { method: 'POST', headers, body: bodyOf(server, read) });
  const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`${server.name} ${read.name}: ${JSON.stringify(body.errors)}`);
  return read.rows(body.data);
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  statementsPerRequest: number;
  requests: number;
  errors: number;
}

async function load(server: Server, bodies: string[], seconds: number): Promise<Figures> {
  const cpu0 = cpuMillisOf(server.child.pid!);
  const st0 = await statements(server);
  const result = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers,
    requests: bodies.map((body) => ({ method: 'POST', body })),
  });
  const requests = result.requests.total;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMsPerRequest: (cpuMillisOf(server.child.pid!) - cpu0) / requests,
    statementsPerRequest: ((await statements(server)) - st0) / requests,
    requests,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  const counted = (await db.driver.executeQuery('MATCH (u:User) RETURN count(u) AS n')).records[0]!.get('n') as number;
  if (process.env.BENCH_REUSE === '1' && counted === USERS) log(`reusing the graph of ${counted} users`);
  else {
    const t0 = performance.now();
    await generateOrg(db, SIZES, log);
    log(`generated in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const c = (
    await db.driver.executeQuery(
      'MATCH (u:User) WITH count(u) AS users MATCH (g:Grant) WITH users, count(g) AS grants MATCH (p:AccessProfile) WITH users, grants, count(p) AS profiles MATCH (e:Entitlement) RETURN users, grants, profiles, count(e) AS entitlements',
    )
  ).records[0]!.toObject();
  log(`graph: ${c.users} users, ${c.grants} grants, ${c.profiles} profiles, ${c.entitlements} entitlements`);

  const all = await readsOn();
  const reads = all.filter((r) => !ONLY || ONLY.includes(r.name));
  const servers = [await startServer('ours'), await startServer('peer')];
  try {
    for (const read of all) {
      const [ours, peer] = [await answer(servers[0]!, read), await answer(servers[1]!, read)];
      log(`${read.name}: ours ${ours} rows, peer ${peer} rows`);
    }
    const cases = [
      ...reads.map((read) => ({ name: read.name, label: read.label, bodies: (s: Server) => [bodyOf(s, read)] })),
      ...(ONLY && !ONLY.includes('mixed') ? [] : [{ name: 'mixed', label: 'mixed (the four in turn)', bodies: (s: Server) => all.map((r) => bodyOf(s, r)) }]),
    ];
    const results: Record<string, { ours: Figures[]; peer: Figures[] }> = {};
    for (const server of servers) for (const c of cases) await load(server, c.bodies(server), 2); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of cases) {
        results[c.name] ??= { ours: [], peer: [] };
        // Alternate which server goes first, round by round.
        for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
          const figures = await load(server, c.bodies(server), SECONDS);
          results[c.name]![server.name].push(figures);
          log(`round ${round + 1} ${c.name} ${server.name}: ${figures.rps.toFixed(0)} req/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms, ${figures.cpuMsPerRequest.toFixed(1)} CPU ms/req${figures.errors ? `, ${figures.errors} errors` : ''}`);
        }
      }
    }
    const pad = (s: string | number, n: number) => String(s).padStart(n);
    process.stdout.write(
      `\n${SIZES.users} users, ${c.grants} grants; ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s each, medians over rounds\n` +
        `${'read'.padEnd(46)}${pad('ours r/s', 9)}${pad('peer r/s', 9)}${pad('ratio', 7)}${pad('ours p50/p99', 14)}${pad('peer p50/p99', 14)}${pad('stmt/req', 9)}${pad('CPU ms ours/peer', 18)}\n`,
    );
    const summary = cases.map((c) => {
      const r = results[c.name]!;
      const f = (xs: Figures[], k: keyof Figures) => median(xs.map((x) => x[k]));
      const row = {
        read: c.name,
        label: c.label,
        ours: { rps: f(r.ours, 'rps'), p50: f(r.ours, 'p50'), p99: f(r.ours, 'p99'), cpuMsPerRequest: f(r.ours, 'cpuMsPerRequest'), statementsPerRequest: f(r.ours, 'statementsPerRequest') },
        peer: { rps: f(r.peer, 'rps'), p50: f(r.peer, 'p50'), p99: f(r.peer, 'p99'), cpuMsPerRequest: f(r.peer, 'cpuMsPerRequest') },
        ratio: f(r.ours, 'rps') / f(r.peer, 'rps'),
        rounds: r,
      };
      process.stdout.write(
        `${c.label.padEnd(46)}${pad(row.ours.rps.toFixed(0), 9)}${pad(row.peer.rps.toFixed(0), 9)}${pad(row.ratio.toFixed(2), 7)}${pad(`${row.ours.p50}/${row.ours.p99}`, 14)}${pad(`${row.peer.p50}/${row.peer.p99}`, 14)}${pad(row.ours.statementsPerRequest.toFixed(2), 9)}${pad(`${row.ours.cpuMsPerRequest.toFixed(1)}/${row.peer.cpuMsPerRequest.toFixed(1)}`, 18)}\n`,
      );
      return row;
    });
    mkdirSync('bench/results', { recursive: true });
    const file = `bench/results/${new Date().toISOString().slice(0, 16).replace(/:/g, '')}-reads.json`;
    writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), graph: c, connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, reads: summary }, null, 2));
    log(`wrote ${file}`);
    recordResult(
      'reads',
      summary.map((row) => ({ name: row.label, value: row.ours.rps, peer: row.peer.rps, unit: 'req/s' })),
      { users: SIZES.users, grants: c.grants, connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS },
    );
  } finally {
    for (const server of servers) await stopServer(server);
  }
} finally {
  await db.close();
  if (started) await stopNeo4j('bench-reads');
}

/**
 * Soak: mixed reads and writes at a fixed rate through the API for a long while, watching for
 * errors, latency drift and memory growth.
 *
 *   npx tsx bench/soak.ts                                   (10 minutes, 20 operations/s)
 *   BENCH_SOAK_SECONDS=120 BENCH_SOAK_RATE=40 BENCH_USERS=10000 npx tsx bench/soak.ts
 *
 * Uses NEO4J_URI when set, else the managed Neo4j instance `soak` on port 7716 (started if
 * needed, left running; its graph is emptied first, before the API starts). The API runs as its own process (the real
 * entry point, src/main.ts) so its resident memory is its own: it is read from /proc every 5 s,
 * and Neo4j's heap through JMX (the old generation after its last collection, which is what
 * grows when something leaks; the whole heap's use is also kept).
 *
 * The load is open-loop: operation i is due at start + i / rate whatever the earlier ones did,
 * and its latency counts from when it was due (a stall shows up as latency, not as fewer
 * operations). The mix: 70% reads (a page of 50 users with their grants, a profile's first 50
 * members with the count, an entitlement's first 50 holders, a user's grants with the profiles
 * that justify them), 30% writes (a user's display name changed, a grant added to a user who
 * holds none of that entitlement: both change something and are audited).
 *
 * Printed: one row per minute (operations, errors, p50/p99, API RSS, Neo4j old-gen and heap),
 * then growth after the first (warm-up) minute: RSS and Neo4j old-gen, last minute against
 * the second.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import neo4j, { type Driver } from 'neo4j-driver';
import { startNeo4j } from '../scripts/neo4j.js';
import { percentile, recordResult } from './lib/result.js';
import { graphqlAt } from './lib/graphql.js';

const USERS = Number(process.env.BENCH_USERS ?? 50_000);
const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const RATE = Number(process.env.BENCH_SOAK_RATE ?? 20);
const GRANTS_PER_USER = 5;
const ENTITLEMENTS = Math.max(50, Math.round(USERS / 25));
const PROFILES = 20;
const TOKEN = 'soak-admin-token-0123456789';
const BATCH = 5_000;

interface Sample {
  at: number;
  rssMiB: number;
  oldGenMiB: number;
  heapMiB: number;
}

interface Done {
  due: number;
  ms: number;
  ok: boolean;
  kind: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function startApi(uri: string, port: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, NEO4J_URI: uri, PORT: String(port), ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

async function waitForHealth(url: string): Promise<void> {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the API did not become healthy within 2 minutes');
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.replace(/\D+/g, '')) / 1024 : Number.NaN;
}

async function neo4jHeap(driver: Driver): Promise<{ oldGenMiB: number; heapMiB: number }> {
  const session = driver.session();
  try {
    const heap = await session.run(`CALL dbms.queryJmx('java.lang:type=Memory') YIELD attributes RETURN attributes.HeapMemoryUsage.value.properties.used AS used`);
    const old = await session.run(
      `CALL dbms.queryJmx('java.lang:type=MemoryPool,name=*') YIELD name, attributes
       WHERE name CONTAINS 'Old Gen' RETURN attributes.CollectionUsage.value.properties.used AS used`,
    );
    const mib = (value: unknown) => Number(value) / 1024 / 1024;
    return { heapMiB: mib(heap.records[0]?.get('used')), oldGenMiB: mib(old.records[0]?.get('used')) };
  } finally {
    await session.close();
  }
}

async function main(): Promise<void> {
  const uri = process.env.NEO4J_URI ?? (await startNeo4j({ name: 'soak', port: 7716 })).uri;
  const driver = neo4j.driver(uri, neo4j.auth.basic(process.env.NEO4J_USER ?? 'neo4j', process.env.NEO4J_PASSWORD ?? ''));
  // Emptied before the API starts (it writes its settings and audit chain head at start).
  const empty = driver.session();
  try {
    await empty.run('MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 50000 ROWS');
    await empty.run('MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 50000 ROWS');
  } finally {
    await empty.close();
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const api = startApi(uri, port);
  const stopApi = () => {
    if (api.exitCode === null) api.kill('SIGTERM');
  };
  process.once('exit', stopApi);
  await waitForHealth(url);

  const call = (query: string, variables: Record<string, unknown> = {}) => graphqlAt(`${url}/graphql`, TOKEN, query, variables);

  // The organisation, through the API as a partner would load it.
  const seedStart = performance.now();
  for (let from = 0; from < USERS; from += BATCH) {
    const users = Array.from({ length: Math.min(BATCH, USERS - from) }, (_, k) => {
      const i = from + k;
      return { externalId: `u${i}`, email: `u${i}@soak.example`, displayName: `User ${i}`, managerExternalId: i === 0 ? null : `u${Math.floor((i - 1) / 10)}` };
    });
    await call(`mutation($u: [UserInput!]!) { upsertUsers(users: $u) { created } }`, { u: users });
  }
  await call(`mutation($a: [AppInput!]!) { upsertApps(apps: $a) { created } }`, { a: Array.from({ length: 20 }, (_, i) => ({ externalId: `app${i}`, name: `App ${i}` })) });
  await call(`mutation($e: [EntitlementInput!]!) { upsertEntitlements(entitlements: $e) { created } }`, {
    e: Array.from({ length: ENTITLEMENTS }, (_, i) => ({ externalId: `e${i}`, appExternalId: `app${i % 20}`, name: `Entitlement ${i}` })),
  });
  const grants: { userExternalId: string; entitlementExternalId: string }[] = [];
  for (let i = 0; i < USERS; i += 1) {
    for (let g = 0; g < GRANTS_PER_USER; g += 1) grants.push({ userExternalId: `u${i}`, entitlementExternalId: `e${(i * 7 + g * 13) % ENTITLEMENTS}` });
  }
  for (let from = 0; from < grants.length; from += BATCH) {
    await call(`mutation($g: [GrantInput!]!) { upsertGrants(grants: $g) { created } }`, { g: grants.slice(from, from + BATCH) });
  }
  const entitlementIds: string[] = [];
  for (let i = 0; i < Math.min(ENTITLEMENTS, PROFILES * 3); i += 1) {
    entitlementIds.push((await call(`query($x: String!) { entitlementByExternalId(externalId: $x) { id } }`, { x: `e${i}` })).entitlementByExternalId.id);
  }
  const profileIds: string[] = [];
  for (let p = 0; p < PROFILES; p += 1) {
    const profile = (await call(`mutation($n: String!) { createAccessProfile(input: { name: $n }) { id } }`, { n: `Soak profile ${p}` })).createAccessProfile.id as string;
    await call(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: profile, e: [entitlementIds[PROFILES + p]!] });
    await call(`mutation($p: ID!, $c: [ID!]!) { setMembershipAutomation(profileId: $p, input: { enabled: true, mode: SYNC_MEMBERS_ONLY, conditionEntitlementIds: $c, pauseOnAnomalies: false }) { id } }`, {
      p: profile,
      c: [entitlementIds[p]!],
    });
    profileIds.push(profile);
  }
  const userIds = (await call(`{ users(first: 500) { edges { node { id } } } }`)).users.edges.map((e: { node: { id: string } }) => e.node.id) as string[];
  process.stdout.write(`seeded ${USERS} users, ${grants.length} grants, ${ENTITLEMENTS} entitlements, ${PROFILES} profiles in ${((performance.now() - seedStart) / 1000).toFixed(0)} s\n`);

  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  let written = 0;
  const operations: { kind: string; weight: number; run: () => Promise<unknown> }[] = [
    { kind: 'users page with grants', weight: 20, run: () => call(`{ users(first: 50) { edges { node { id displayName grants(first: 10) { edges { node { entitlement { name app { name } } } } } } } } }`) },
    { kind: "profile's members", weight: 20, run: () => call(`query($p: ID!) { node(id: $p) { ... on AccessProfile { members(first: 50) { totalCount edges { node { id displayName } } } } } }`, { p: profileIds[random(PROFILES)] }) },
    { kind: "entitlement's holders", weight: 15, run: () => call(`query($e: ID!) { node(id: $e) { ... on Entitlement { holders(first: 50) { totalCount edges { node { user { id displayName } } } } } } }`, { e: entitlementIds[random(entitlementIds.length)] }) },
    { kind: "user's grants and why", weight: 15, run: () => call(`query($u: ID!) { node(id: $u) { ... on User { grants(first: 50) { edges { node { entitlement { name } justifiedBy { name } sources { type } } } } } } }`, { u: userIds[random(userIds.length)] }) },
    {
      kind: 'rename a user',
      weight: 15,
      run: () => {
        const i = random(USERS);
        written += 1;
        return call(`mutation($u: [UserInput!]!) { upsertUsers(users: $u) { updated } }`, { u: [{ externalId: `u${i}`, email: `u${i}@soak.example`, displayName: `User ${i} (${written})`, managerExternalId: i === 0 ? null : `u${Math.floor((i - 1) / 10)}` }] });
      },
    },
    {
      kind: 'add a grant',
      weight: 15,
      run: () => call(`mutation($g: [GrantInput!]!) { upsertGrants(grants: $g) { created } }`, { g: [{ userExternalId: `u${random(USERS)}`, entitlementExternalId: `e${random(ENTITLEMENTS)}` }] }),
    },
  ];
  const totalWeight = operations.reduce((sum, o) => sum + o.weight, 0);
  const pick = () => {
    let r = random(totalWeight);
    for (const o of operations) {
      if (r < o.weight) return o;
      r -= o.weight;
    }
    return operations[0]!;
  };

  const done: Done[] = [];
  const samples: Sample[] = [];
  const errors: string[] = [];
  const start = performance.now();
  const sampler = setInterval(() => {
    void neo4jHeap(driver)
      .then((heap) => samples.push({ at: (performance.now() - start) / 1000, rssMiB: rssMiB(api.pid!), ...heap }))
      .catch(() => undefined);
  }, 5_000);
  const inFlight = new Set<Promise<void>>();
  const total = Math.floor(SECONDS * RATE);
  for (let i = 0; i < total; i += 1) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const operation = pick();
    const running = operation
      .run()
      .then(
        () => {
          done.push({ due: (due - start) / 1000, ms: performance.now() - due, ok: true, kind: operation.kind });
        },
        (error: Error) => {
          done.push({ due: (due - start) / 1000, ms: performance.now() - due, ok: false, kind: operation.kind });
          if (errors.length < 5) errors.push(`${operation.kind}: ${error.message}`);
        },
      )
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  }
  await Promise.all(inFlight);
  clearInterval(sampler);

  // Whole minutes only (a short last part would skew the growth); at least one.
  const minutes = Math.max(1, Math.floor(SECONDS / 60));
  const rows = Array.from({ length: minutes }, (_, m) => {
    const inMinute = done.filter((d) => d.due >= m * 60 && d.due < (m + 1) * 60);
    const latencies = inMinute.map((d) => d.ms).sort((a, b) => a - b);
    const mine = samples.filter((s) => s.at >= m * 60 && s.at < (m + 1) * 60);
    const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN);
    return {
      minute: m + 1,
      operations: inMinute.length,
      errors: inMinute.filter((d) => !d.ok).length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      rssMiB: mean(mine.map((s) => s.rssMiB)),
      oldGenMiB: mean(mine.map((s) => s.oldGenMiB)),
      heapMiB: mean(mine.map((s) => s.heapMiB)),
    };
  });
  process.stdout.write(`\nsoak: ${SECONDS} s at ${RATE} operations/s, ${USERS} users (API pid ${api.pid})\n`);
  process.stdout.write('minute  ops    errors  p50 ms   p99 ms   API RSS MiB  Neo4j old gen MiB  Neo4j heap MiB\n');
  for (const r of rows) {
    process.stdout.write(
      `${String(r.minute).padEnd(8)}${String(r.operations).padEnd(7)}${String(r.errors).padEnd(8)}${r.p50.toFixed(1).padEnd(9)}${r.p99.toFixed(1).padEnd(9)}${r.rssMiB.toFixed(0).padEnd(13)}${r.oldGenMiB.toFixed(0).padEnd(19)}${r.heapMiB.toFixed(0)}\n`,
    );
  }
  const growth = (pick: (r: (typeof rows)[number]) => number) => {
    const base = rows[Math.min(1, rows.length - 1)]!;
    const last = rows[rows.length - 1]!;
    return ((pick(last) - pick(base)) / pick(base)) * 100;
  };
  const errorCount = done.filter((d) => !d.ok).length;
  const all = done.map((d) => d.ms).sort((a, b) => a - b);
  process.stdout.write(`\nerrors: ${errorCount} of ${done.length}${errors.length ? `\n  ${errors.join('\n  ')}` : ''}\n`);
  process.stdout.write(`latency over the run: p50 ${percentile(all, 50).toFixed(1)} ms, p99 ${percentile(all, 99).toFixed(1)} ms\n`);
  process.stdout.write(`growth after warm-up (minute 2 -> last): API RSS ${growth((r) => r.rssMiB).toFixed(1)}%, Neo4j old gen ${growth((r) => r.oldGenMiB).toFixed(1)}%\n`);
  recordResult(
    'soak',
    [
      { name: 'soak errors', value: errorCount, unit: 'errors', target: { value: 0, higherIsBetter: false } },
      { name: 'soak p99', value: percentile(all, 99), unit: 'ms' },
      { name: 'soak API RSS growth', value: growth((r) => r.rssMiB), unit: '%', target: { value: 10, higherIsBetter: false } },
      { name: 'soak Neo4j old gen growth', value: growth((r) => r.oldGenMiB), unit: '%', target: { value: 10, higherIsBetter: false } },
    ],
    { seconds: SECONDS, rate: RATE, users: USERS, minutes: rows },
  );
  stopApi();
  await driver.close();
}

await main();
process.exit(0);

/**
 * The project-managed Neo4j Community server: fetched from Maven Central, started on
 * 127.0.0.1 with its data under the ignored `.neo4j/` folder, stopped cleanly.
 *
 *   tsx scripts/neo4j.ts start  [--name local] [--port 7687]
 *   tsx scripts/neo4j.ts stop   [--name local]
 *   tsx scripts/neo4j.ts status [--name local]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import neo4j from 'neo4j-driver';

export const NEO4J_VERSION = '5.26.30';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const baseDir = join(root, '.neo4j');
const runtimeDir = join(baseDir, 'runtime', NEO4J_VERSION);
const libDir = join(runtimeDir, 'lib');

export interface ManagedNeo4j {
  name: string;
  uri: string;
  port: number;
  homeDir: string;
}

function log(message: string): void {
  process.stderr.write(`[neo4j] ${message}\n`);
}

function requireCommand(command: string, aptPackage: string): void {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status === 0) return;
  log(`${command} is missing; installing ${aptPackage} from Debian's packages`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const update = spawnSync(sudo.length ? 'sudo' : 'apt-get', [...(sudo.length ? ['apt-get'] : []), 'update'], { stdio: 'inherit' });
  const install = spawnSync(sudo.length ? 'sudo' : 'apt-get', [...(sudo.length ? ['apt-get'] : []), 'install', '-y', aptPackage], {
    stdio: 'inherit',
  });
  if (update.status !== 0 || install.status !== 0) throw new Error(`could not install ${aptPackage}`);
}

/** Downloads the server's jars from Maven Central once; later calls find them in place. */
export function ensureNeo4jRuntime(): string {
  const marker = join(runtimeDir, '.complete');
  if (existsSync(marker)) return libDir;
  requireCommand('java', 'openjdk-17-jre-headless');
  requireCommand('mvn', 'maven');
  mkdirSync(runtimeDir, { recursive: true });
  writeFileSync(
    join(runtimeDir, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.access-governance</groupId><artifactId>neo4j-runtime</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.neo4j</groupId><artifactId>neo4j</artifactId><version>${NEO4J_VERSION}</version></dependency>
    <dependency><groupId>org.neo4j.app</groupId><artifactId>neo4j-server</artifactId><version>${NEO4J_VERSION}</version></dependency>
  </dependencies>
</project>
`,
  );
  log(`fetching Neo4j Community ${NEO4J_VERSION} from Maven Central (once)`);
  const result = spawnSync('mvn', ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${libDir}`], {
    cwd: runtimeDir,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('mvn could not fetch the Neo4j server');
  writeFileSync(marker, new Date().toISOString());
  return libDir;
}

/** Where a managed instance keeps its conf, data, logs and pid. */
export function homeOf(name: string): string {
  return join(baseDir, 'instances', name);
}

/** The pid of a running managed instance, or null. */
export function pidOf(name: string): number | null {
  const pidFile = join(homeOf(name), 'run', 'neo4j.pid');
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return alive(pid) ? pid : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the server answers now. One auto-commit statement, not retried: the driver's managed
 * retries (executeQuery) would keep asking a server that is stopping for 30 s before saying no.
 */
async function answersBolt(uri: string): Promise<boolean> {
  const driver = neo4j.driver(uri, neo4j.auth.basic('neo4j', 'unused'), { connectionTimeout: 2000 });
  const session = driver.session();
  try {
    await session.run('RETURN 1');
    return true;
  } catch {
    return false;
  } finally {
    await session.close();
    await driver.close();
  }
}

/**
 * The JVM options Neo4j's own launcher passes (its default `server.jvm.additional`, and the heap
 * as both initial and maximum size): we start `CommunityEntryPoint` with `java` directly, so
 * without them the page cache ran in its "fallback mode" (no reflective access to direct
 * buffers, which Neo4j's debug.log warned costs performance) and the heap grew from 400 MB in
 * steps. Left out: `-XX:+AlwaysPreTouch`, which would make every start touch the whole heap.
 */
function jvmOptions(heap: string): string[] {
  return [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    '-XX:+UseG1GC',
    '-XX:-OmitStackTraceInFastThrow',
    '-XX:+UnlockExperimentalVMOptions',
    '-XX:+TrustFinalNonStaticFields',
    '-XX:+DisableExplicitGC',
    '-Djdk.nio.maxCachedBufferSize=1024',
    '-Dio.netty.tryReflectionSetAccessible=true',
    '-Dlog4j2.disable.jmx=true',
    '-XX:FlightRecorderOptions=stackdepth=256',
    '-XX:+UnlockDiagnosticVMOptions',
    '-XX:+DebugNonSafepoints',
    '--add-opens=java.base/java.nio=ALL-UNNAMED',
    '--add-opens=java.base/java.io=ALL-UNNAMED',
    '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
    '--add-opens=java.base/java.lang=ALL-UNNAMED',
  ];
}

export async function startNeo4j(options: { name?: string; port?: number; heap?: string; pageCache?: string } = {}): Promise<ManagedNeo4j> {
  const name = options.name ?? 'local';
  const port = options.port ?? 7687;
  const homeDir = homeOf(name);
  const uri = `bolt://127.0.0.1:${port}`;
  const managed = { name, uri, port, homeDir };
  // A server of this instance that runs but does not answer is starting or stopping: wait until it
  // answers (use it) or exits (start anew). A second server spawned beside it would wait for the
  // first one's store lock, and its start took a minute instead of seconds.
  const running = await answersOrExits(name, uri);
  if (running === 'answers') return managed;
  if (running === 'silent') throw new Error(`Neo4j ${name} runs but does not answer on ${uri}; see ${join(homeDir, 'logs')}`);

  const lib = ensureNeo4jRuntime();
  // The JVM's initial and maximum heap (jvmOptions), and what the conf says they are.
  const heap = options.heap ?? '1g';
  for (const dir of ['conf', 'data', 'logs', 'run', 'plugins', 'import']) mkdirSync(join(homeDir, dir), { recursive: true });
  writeFileSync(
    join(homeDir, 'conf', 'neo4j.conf'),
    [
      'server.default_listen_address=127.0.0.1',
      `server.bolt.listen_address=127.0.0.1:${port}`,
      'server.bolt.advertised_address=127.0.0.1',
      'server.http.enabled=false',
      'server.https.enabled=false',
      // Only loopback can reach it; credentials are for deployments that set NEO4J_URI.
      'dbms.security.auth_enabled=false',
      `server.memory.heap.initial_size=${heap}`,
      `server.memory.heap.max_size=${heap}`,
      `server.memory.pagecache.size=${options.pageCache ?? '512m'}`,
      'dbms.usage_report.enabled=false',
      // Keep cached query plans: by default a plan whose statistics changed (a test empties the
      // graph, a benchmark loads it) is planned again 10 s later, which costs 1-3 s per complex
      // statement on a loaded machine; our statements are anchored on unique-id index seeks, so a
      // stale plan is still the right one (docs/performance.md).
      'dbms.cypher.min_replan_interval=10m',
      'db.tx_log.rotation.retention_policy=100M size',
      // Stop in 2-3 s instead of 11: the Bolt server waited 5 s for its connections to
      // close and Netty 5 s more in its quiet period (tests stop and start instances often).
      'internal.server.bolt.connection_shutdown_wait_time=1s',
      'internal.dbms.bolt.netty_server_shutdown_quiet_period=0',
      '',
    ].join('\n'),
  );
  const out = openSync(join(homeDir, 'logs', 'console.log'), 'a');
  const child = spawn(
    'java',
    [...jvmOptions(heap), '-cp', `${lib}/*`, 'org.neo4j.server.CommunityEntryPoint', `--home-dir=${homeDir}`, `--config-dir=${join(homeDir, 'conf')}`],
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  writeFileSync(join(homeDir, 'run', 'neo4j.pid'), String(child.pid));
  log(`starting ${name} on ${uri} (pid ${child.pid})`);

  if ((await answersOrExits(name, uri)) !== 'answers') throw new Error(`Neo4j ${name} did not answer on ${uri}; see ${join(homeDir, 'logs')}`);
  log(`${name} answers on ${uri}`);
  return managed;
}

/** Polls the instance's server until it answers, its process is gone, or 3 minutes pass (silent). */
async function answersOrExits(name: string, uri: string): Promise<'answers' | 'exited' | 'silent'> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (pidOf(name) === null) return 'exited';
    if (await answersBolt(uri)) return 'answers';
    if (Date.now() > deadline) return 'silent';
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function stopNeo4j(name = 'local'): Promise<void> {
  const pid = pidOf(name);
  if (pid === null) return;
  process.kill(pid, 'SIGTERM');
  // This server's own pid: a start that follows may already have written its successor's.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && alive(pid)) await new Promise((r) => setTimeout(r, 250));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  log(`${name} stopped`);
}

/** Removes an instance's data (tests use throwaway instances). */
export function wipeNeo4j(name: string): void {
  rmSync(homeOf(name), { recursive: true, force: true });
}

export function listInstances(): string[] {
  const dir = join(baseDir, 'instances');
  return existsSync(dir) ? readdirSync(dir) : [];
}

function argument(flag: string): string | undefined {
  const index = process.argv.indexOf(flag);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const command = process.argv[2];
  const name = argument('--name') ?? 'local';
  const port = Number(argument('--port') ?? 7687);
  if (command === 'start') {
    const server = await startNeo4j({ name, port });
    process.stdout.write(`${server.uri}\n`);
  } else if (command === 'stop') {
    await stopNeo4j(name);
  } else if (command === 'status') {
    process.stdout.write(`${name}: ${pidOf(name) === null ? 'stopped' : `running (pid ${pidOf(name)})`}\n`);
  } else if (command === 'fetch') {
    ensureNeo4jRuntime();
  } else {
    process.stderr.write('usage: tsx scripts/neo4j.ts start|stop|status|fetch [--name NAME] [--port PORT]\n');
    process.exit(2);
  }
}

/**
 * Where a benchmark's CPU goes. `profiled`: a CPU profile of this process around one phase,
 * through node:inspector (the `--cpu-prof` flag profiles a whole run, setup included).
 * BENCH_CPU_PROF names the phase; the profile is written to
 * bench/results/prof/<phase>-<time>.cpuprofile (open it in Chrome's DevTools) and a summary is
 * printed: self time by where the code lives (our src/ files, each package, node's internals, the
 * garbage collector). `cpuMillisOf` and `managedNeo4jPid`: the CPU a process (our server, the
 * project-managed Neo4j) has used so far, from /proc.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { homeOf, listInstances, pidOf } from '../../scripts/neo4j.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a frame's code lives, for the summary. */
function placeOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === '') return functionName === '' ? '(anonymous native)' : `(${functionName.replace(/[()]/g, '')})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /\/((?:src|bench|scripts)\/.+)$/.exec(url);
  if (ours) return ours[1]!;
  if (url.startsWith('node:')) return url;
  return url;
}

/** Self time per place, in ms, largest first. */
export function summarise(profile: Profile): { total: number; places: [string, number][] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const place = placeOf(byId.get(id)!);
    self.set(place, (self.get(place) ?? 0) + ms);
    if (place !== '(idle)') total += ms;
  });
  return { total, places: [...self].filter(([p]) => p !== '(idle)').sort((a, b) => b[1] - a[1]) };
}

/** Starts profiling when BENCH_CPU_PROF names this phase; the function returned stops and reports. */
export async function profiled(phase: string): Promise<() => Promise<void>> {
  if (process.env.BENCH_CPU_PROF !== phase) return async () => {};
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    session.disconnect();
    mkdirSync('bench/results/prof', { recursive: true });
    const file = `bench/results/prof/${phase}-${new Date().toISOString().replace(/[:.]/g, '')}.cpuprofile`;
    writeFileSync(file, JSON.stringify(profile));
    const { total, places } = summarise(profile);
    const lines = places.slice(0, 25).map(([place, ms]) => `    ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${place}`);
    process.stdout.write([`  CPU profile of ${phase}: ${total.toFixed(0)} ms busy, written to ${file}`, ...lines, ''].join('\n'));
  };
}

const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** User plus system CPU of a process so far, in ms (Linux /proc); NaN when it cannot be read. */
export function cpuMillisOf(pid: number | null): number {
  if (pid === null) return Number.NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/**
 * Starts measuring CPU: the returned function gives the ms of CPU this process (the API and any
 * clients in it) and the Neo4j process `neo4jPid` have used since (neo4jMs NaN when not local).
 */
export function cpuSince(neo4jPid: number | null): () => { hereMs: number; neo4jMs: number } {
  const here0 = process.cpuUsage();
  const neo4j0 = cpuMillisOf(neo4jPid);
  return () => {
    const here = process.cpuUsage(here0);
    return { hereMs: (here.user + here.system) / 1000, neo4jMs: cpuMillisOf(neo4jPid) - neo4j0 };
  };
}

/** The pid of the project-managed Neo4j serving this Bolt URI on this machine, if it is one. */
export function managedNeo4jPid(uri: string): number | null {
  const port = /:(\d+)\/?$/.exec(uri)?.[1];
  if (!port) return null;
  // Several instances may have been given the port over time; the running one serves it.
  for (const name of listInstances()) {
    const conf = join(homeOf(name), 'conf', 'neo4j.conf');
    if (!existsSync(conf) || !readFileSync(conf, 'utf8').includes(`server.bolt.listen_address=127.0.0.1:${port}\n`)) continue;
    const pid = pidOf(name);
    if (pid !== null) return pid;
  }
  return null;
}

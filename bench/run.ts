/**
 * The whole benchmark set at one size, one after the other, and one report of it:
 *
 *   npx tsx bench/run.ts                          (the full size: 50,000 users, 500,000 grants, 200 profiles)
 *   BENCH_USERS=10000 npx tsx bench/run.ts        (a quick pass: grants and profiles scale with the users)
 *   npx tsx bench/run.ts sync soak                (only these benchmarks)
 *
 * Each benchmark is its own process (bench/<name>.ts), so one's memory and JIT state do not
 * colour the next; each prints its own figures as it goes and hands them over through
 * BENCH_RESULT_FILE (bench/lib/result.ts). Written at the end, under bench/results/:
 * - <date>.json: the machine, the sizes, the commit, and every benchmark's figures;
 * - <date>.md: the same as a table a person can read;
 * - <date>.png: the chart (each figure against the peer or its target; the soak per minute).
 * A benchmark that fails is reported as failed and the others still run. Running some benchmarks
 * again the same day at the same sizes replaces their figures in that day's report.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { renderChart, formatValue } from './lib/chart.js';
import type { BenchResult } from './lib/result.js';

/** In the order they run: reads first (a fresh graph), the long soak last. */
const ALL = ['reads', 'sync', 'cascade', 'raw-writes', 'analysis', 'events', 'writes', 'soak'];

const users = Number(process.env.BENCH_USERS ?? 50_000);
const sizes = {
  BENCH_USERS: String(users),
  BENCH_GRANTS: process.env.BENCH_GRANTS ?? String(users * 10),
  BENCH_PROFILES: process.env.BENCH_PROFILES ?? String(Math.max(20, Math.round(users / 250))),
};
const asked = process.argv.slice(2);
const benches = (asked.length ? asked : ALL).filter((name) => {
  const exists = existsSync(join('bench', `${name}.ts`));
  if (!exists) process.stderr.write(`bench/run: no bench/${name}.ts, skipped\n`);
  return exists;
});

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function runOne(name: string): Promise<{ result: BenchResult | null; seconds: number; exitCode: number | null }> {
  const file = join(tmpdir(), `bench-${name}-${process.pid}.json`);
  rmSync(file, { force: true });
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('bench', `${name}.ts`)], {
      env: { ...process.env, ...sizes, BENCH_RESULT_FILE: file },
      stdio: 'inherit',
    });
    child.on('exit', (exitCode) => {
      const result = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BenchResult) : null;
      rmSync(file, { force: true });
      resolve({ result, seconds: (performance.now() - started) / 1000, exitCode });
    });
  });
}

function markdown(report: Report): string {
  const lines = [
    `# Benchmarks, ${report.date}`,
    '',
    `Commit \`${report.commit}\`${report.dirty ? ' (with uncommitted changes)' : ''}; ${report.machine.cores} cores (${report.machine.cpu}), ${report.machine.memoryGiB} GiB, Node ${report.machine.node}.`,
    `Sizes: ${report.sizes.BENCH_USERS} users, ${report.sizes.BENCH_GRANTS} grants, ${report.sizes.BENCH_PROFILES} profiles.`,
    '',
    '| benchmark | figure | measured | peer | target | met |',
    '|---|---|---|---|---|---|',
  ];
  for (const run of report.runs) {
    if (!run.result) {
      lines.push(`| ${run.bench} | (failed: exit ${run.exitCode}, ${run.seconds.toFixed(0)} s) | | | | |`);
      continue;
    }
    for (const f of run.result.figures) {
      const target = f.target ? `${f.target.higherIsBetter ? '≥' : '≤'} ${formatValue(f.target.value)}` : '';
      const met = f.peer !== undefined ? (f.value >= f.peer ? 'yes' : 'no') : f.target ? ((f.target.higherIsBetter ? f.value >= f.target.value : f.value <= f.target.value) ? 'yes' : 'no') : '';
      lines.push(`| ${run.bench} | ${f.name} | ${formatValue(f.value)} ${f.unit} | ${f.peer !== undefined ? `${formatValue(f.peer)} ${f.unit} (${(f.value / f.peer).toFixed(2)}x)` : ''} | ${target} | ${met} |`);
    }
  }
  lines.push('', `![chart](${report.date}.png)`, '');
  return lines.join('\n');
}

interface Report {
  date: string;
  commit: string;
  dirty: boolean;
  machine: { cores: number; cpu: string; memoryGiB: number; node: string };
  sizes: typeof sizes;
  runs: { bench: string; seconds: number; exitCode: number | null; result: BenchResult | null }[];
}

const report: Report = {
  date: new Date().toISOString().slice(0, 10),
  commit: git('rev-parse', '--short', 'HEAD'),
  dirty: git('status', '--porcelain') !== '',
  machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.versions.node },
  sizes,
  runs: [],
};
for (const bench of benches) {
  process.stdout.write(`\n=== bench/${bench}.ts (${sizes.BENCH_USERS} users)\n`);
  const run = await runOne(bench);
  report.runs.push({ bench, ...run });
  if (!run.result) process.stderr.write(`bench/run: ${bench} reported no figures (exit ${run.exitCode})\n`);
}

mkdirSync(join('bench', 'results'), { recursive: true });
const base = join('bench', 'results', report.date);
// A later run of some benchmarks on the same day, at the same sizes, replaces theirs in the day's report.
if (existsSync(`${base}.json`)) {
  const earlier = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Report;
  if (JSON.stringify(earlier.sizes) === JSON.stringify(report.sizes)) {
    const ran = new Set(report.runs.map((r) => r.bench));
    report.runs = [...earlier.runs.filter((r) => !ran.has(r.bench)), ...report.runs].sort((a, b) => ALL.indexOf(a.bench) - ALL.indexOf(b.bench));
  }
}
writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(`${base}.md`, markdown(report));
const results = report.runs.flatMap((r) => (r.result ? [r.result] : []));
const { png } = renderChart(`Benchmarks ${report.date}, ${sizes.BENCH_USERS} users, commit ${report.commit}`, results);
writeFileSync(`${base}.png`, png);
process.stdout.write(`\n${markdown(report)}\nwritten: ${base}.json, ${base}.md, ${base}.png\n`);

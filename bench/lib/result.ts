/**
 * What a benchmark measured, in a form bench/run.ts collects: each benchmark still prints its
 * figures for a person, and also calls recordResult() once at the end. When BENCH_RESULT_FILE
 * is set (bench/run.ts sets it), the figures are written there as JSON; otherwise nothing more
 * happens.
 */
import { writeFileSync } from 'node:fs';

export interface Figure {
  /** What was measured, e.g. "first sync" or "a profile's first 50 members". */
  name: string;
  value: number;
  /** e.g. "tasks/s", "req/s", "ms". */
  unit: string;
  /** The same measurement on the peer (@neo4j/graphql), when there is one. */
  peer?: number;
  /** The target, in the same unit, and whether higher is better. */
  target?: { value: number; higherIsBetter: boolean };
}

export interface BenchResult {
  bench: string;
  figures: Figure[];
  /** Anything else worth keeping: sizes, series for a chart (e.g. the soak's minutes). */
  detail?: Record<string, unknown>;
}

export function recordResult(bench: string, figures: Figure[], detail?: Record<string, unknown>): void {
  const file = process.env.BENCH_RESULT_FILE;
  if (!file) return;
  const result: BenchResult = { bench, figures, ...(detail ? { detail } : {}) };
  writeFileSync(file, JSON.stringify(result, null, 2));
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

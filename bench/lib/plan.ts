/**
 * PROFILE plans for the benchmarks: a plan printed as an indented tree of operators with their
 * database hits and rows, and the parameters converted as the driver sends them (integers as
 * Neo4j integers), for statements run outside the app's own Tx.run.
 */
import neo4j from 'neo4j-driver';
import { Tx } from '../../src/db/database.js';

export interface Plan {
  operatorType: string;
  dbHits?: number;
  rows?: number;
  arguments?: { Details?: string };
  children?: Plan[];
}

export function printPlan(plan: Plan, depth = 0): void {
  const details = (plan.arguments?.Details ?? '').replace(/\s+/g, ' ').slice(0, 110);
  console.log(`${'  '.repeat(depth)}${plan.operatorType.split('@')[0]} db hits ${plan.dbHits ?? 0} rows ${plan.rows ?? 0}  ${details}`);
  for (const child of plan.children ?? []) printPlan(child, depth + 1);
}

/** The database hits of a plan and all its operators. */
export const dbHitsOf = (plan: Plan | false | undefined): number => (plan ? (plan.dbHits ?? 0) + (plan.children ?? []).reduce<number>((n, c) => n + dbHitsOf(c), 0) : 0);

/** Parameters as the app's Tx.run sends them: safe integers as Neo4j integers, in nested maps and lists too. */
export const asParams = (v: unknown): unknown =>
  typeof v === 'number'
    ? Number.isSafeInteger(v)
      ? neo4j.int(v)
      : v
    : Array.isArray(v)
      ? v.map(asParams)
      : v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asParams(x)]))
        : v;

type RawTx = { raw: { run: (text: string, params: unknown) => Promise<{ records: { toObject(): unknown }[]; summary: { profile: Plan } }> } };

/**
 * The first run of statement `name` with at least `minRows` $rows runs under PROFILE and its plan
 * is printed; every other statement runs as it does in the app. `textOf` gives a statement's text.
 */
export function printPlanOnce(name: string, textOf: (name: string) => string, minRows = 100): void {
  const run = Tx.prototype.run;
  let shown = false;
  Tx.prototype.run = async function planned(this: Tx, statement: string, params: Record<string, unknown> = {}) {
    const rows = (params as { rows?: unknown[] }).rows;
    if (shown || statement !== name || !rows || rows.length < minRows) return run.call(this, statement, params);
    shown = true;
    const started = performance.now();
    const result = await (this as unknown as RawTx).raw.run(`PROFILE ${textOf(statement)}`, asParams(params));
    console.log(`plan of ${statement} (${rows.length} rows, ${(performance.now() - started).toFixed(0)} ms, ${dbHitsOf(result.summary.profile)} db hits):`);
    printPlan(result.summary.profile);
    return result.records.map((r) => r.toObject()) as never;
  } as never;
}

/**
 * PROFILE plans for the benchmarks: a plan printed as an indented tree of operators with their
 * database hits and rows, its total database hits, and one statement's plan printed from inside
 * the app's own transactions.
 */
import { Tx, type Database } from '../../src/db/database.js';
import { toCypherValues } from '../../src/db/values.js';

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

type RawTx = {
  raw: { run: (text: string, params: unknown) => Promise<{ records: { toObject(): unknown }[]; summary: { profile: Plan } }> };
  db: Database;
};

/**
 * The first run of statement `name` with at least `minRows` $rows runs under PROFILE (its
 * parameters converted, counted and timed as Tx.run does) and its plan is printed; every other
 * statement runs as it does in the app.
 */
export function printPlanOnce(name: string, minRows = 100): void {
  const run = Tx.prototype.run;
  let shown = false;
  Tx.prototype.run = async function planned(this: Tx, statement: string, params: Record<string, unknown> = {}) {
    const rows = (params as { rows?: unknown[] }).rows;
    if (shown || statement !== name || !rows || rows.length < minRows) return run.call(this, statement, params);
    shown = true;
    const { raw, db } = this as unknown as RawTx;
    db.countStatement(statement);
    const started = performance.now();
    const result = await raw.run(`PROFILE ${db.cypher.get(statement)}`, toCypherValues(params));
    const ms = performance.now() - started;
    db.timeStatement(statement, ms);
    console.log(`plan of ${statement} (${rows.length} rows, ${ms.toFixed(0)} ms, ${dbHitsOf(result.summary.profile)} db hits):`);
    printPlan(result.summary.profile);
    return result.records.map((r) => r.toObject()) as never;
  } as never;
}

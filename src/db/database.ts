/**
 * The one seam that touches the driver: a session per unit of work, executeRead/executeWrite,
 * named Cypher from the registry, transaction metadata, and Neo4j errors mapped to ours.
 */
import neo4j, { type Driver, type ManagedTransaction, type RecordShape, type Session } from 'neo4j-driver';
import { AppError } from '../errors.js';
import { Availability, serviceUnavailable } from './availability.js';
import type { Logger } from '../logger.js';
import { cypherRegistry, type CypherRegistry } from './cypher.js';
import { RACED, retriableWhenRaced, withoutCallerStack } from './driver-adjustments.js';
import { noDelayOnBoltSockets } from './no-delay.js';
import { toCypherValues } from './values.js';
import { UnitOfWork, type CommitListener, type CommitSettler, type UnitFinisher } from './unit-of-work.js';

export interface Neo4jConnection {
  uri: string;
  user: string;
  password: string;
  database?: string | undefined;
  /** How long the driver retries a transaction that failed for a transient reason (Neo4j unreachable, a deadlock). */
  maxRetryMs?: number;
  /** The most a request waits on an unreachable Neo4j before SERVICE_UNAVAILABLE (src/db/availability.ts). */
  unavailableMs?: number;
}

export type Params = Record<string, unknown>;

/** A transaction as our code sees it: named statements only, and (writing) the unit of work it records on. */
export class Tx {
  constructor(
    private readonly raw: ManagedTransaction,
    private readonly db: Database,
    private readonly work: UnitOfWork | null = null,
  ) {}

  /** What this write records beside its statements (events, audit, holders changed); see UnitOfWork. */
  get unit(): UnitOfWork {
    if (this.work === null) throw new Error('a read transaction records nothing: events, audit and holder changes belong to a write');
    return this.work;
  }

  async run<T extends RecordShape = RecordShape>(name: string, params: Params = {}): Promise<T[]> {
    const text = this.db.cypher.get(name);
    this.db.countStatement(name);
    this.db.logger.debug('cypher', { name, params: Object.keys(params) });
    const started = performance.now();
    let result;
    try {
      result = await withoutCallerStack(() => this.raw.run<T>(text, toCypherValues(params) as Params));
    } catch (error) {
      throw retriableWhenRaced(error);
    }
    this.db.timeStatement(name, performance.now() - started);
    return result.records.map((record) => record.toObject());
  }

  async one<T extends RecordShape = RecordShape>(name: string, params: Params = {}): Promise<T | undefined> {
    const rows = await this.run<T>(name, params);
    return rows[0];
  }
}

/** A transaction's metadata: the app, and the unit of work it runs. */
export const metadataOf = (unit: string): Params => ({ app: 'access-governance-engine', unit });

const TRANSIENT = /^Neo.TransientError|ServiceUnavailable|SessionExpired/;
const UNREACHABLE = /^(ServiceUnavailable|SessionExpired)$/;

export class Database {
  readonly driver: Driver;
  readonly cypher: CypherRegistry;
  /** The database every session opens (NEO4J_DATABASE; undefined: the server's default). */
  readonly database: string | undefined;
  /** Statements run since start, by name: the batching tests read it. */
  readonly statementCounts = new Map<string, number>();

  constructor(
    connection: Neo4jConnection,
    readonly logger: Logger,
  ) {
    noDelayOnBoltSockets();
    this.driver = neo4j.driver(connection.uri, neo4j.auth.basic(connection.user, connection.password), {
      disableLosslessIntegers: true,
      maxTransactionRetryTime: connection.maxRetryMs ?? 15_000,
      connectionAcquisitionTimeout: 10_000,
      connectionTimeout: 5_000,
      logging: { level: 'error', logger: (_level, message) => logger.warn('neo4j driver', { message }) },
    });
    this.database = connection.database;
    this.maxRetryMs = connection.maxRetryMs ?? 15_000;
    this.cypher = cypherRegistry();
    // Fail fast while Neo4j is unreachable: a probe on a driver of its own (src/db/availability.ts).
    const waitMs = Math.max(50, Math.round((connection.unavailableMs ?? 3_000) / 2));
    this.probeDriver = neo4j.driver(connection.uri, neo4j.auth.basic(connection.user, connection.password), {
      maxConnectionPoolSize: 1,
      connectionTimeout: waitMs * 2,
      connectionAcquisitionTimeout: waitMs * 2,
      logging: { level: 'error', logger: () => {} },
    });
    this.availability = new Availability(() => this.probeOnce(), waitMs, logger);
  }

  private readonly probeDriver: Driver;
  private readonly maxRetryMs: number;
  /** Whether Neo4j answers, as /health and the fail-fast guard see it. */
  readonly availability: Availability;

  private async probeOnce(): Promise<void> {
    const session = this.probeDriver.session({ database: this.database, defaultAccessMode: neo4j.session.READ });
    try {
      await session.run('RETURN 1', {}, { metadata: metadataOf('db.ping') });
    } finally {
      await session.close();
    }
  }

  /**
   * One driver transaction, failing fast while Neo4j is unreachable: refused at once while it is
   * known down, abandoned once it waited for it too long (src/db/availability.ts). The session
   * closes when the driver is done with it, abandoned or not.
   */
  private async transaction<T>(mode: 'READ' | 'WRITE', run: (session: Session, attempt: <R>(work: () => Promise<R>) => Promise<R>) => Promise<T>): Promise<T> {
    await this.availability.admit();
    try {
      return await this.availability.guard(async (attempt) => {
        const session = this.driver.session({ database: this.database, defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE });
        try {
          return await run(session, attempt);
        } finally {
          await session.close();
        }
      });
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** Milliseconds spent per statement name (until its records arrived): the benchmarks print it. */
  readonly statementMillis = new Map<string, number>();

  timeStatement(name: string, millis: number): void {
    this.statementMillis.set(name, (this.statementMillis.get(name) ?? 0) + millis);
  }

  /** The statements that took longest, for a benchmark's report. */
  slowestStatements(top = 8): string[] {
    return [...this.statementMillis]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => `${name}: ${(ms / 1000).toFixed(2)} s over ${this.statementCounts.get(name) ?? 0} runs`);
  }

  countStatement(name: string): void {
    this.statementCounts.set(name, (this.statementCounts.get(name) ?? 0) + 1);
  }

  /**
   * One read transaction. `unit` names the unit of work ('workflow.decide', 'loaders.byId'): it is
   * the transaction's metadata, seen in SHOW TRANSACTIONS and the query log.
   */
  async read<T>(unit: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.transaction('READ', (session, attempt) => session.executeRead((raw) => attempt(() => work(new Tx(raw, this))), { metadata: metadataOf(unit) }));
  }

  /**
   * One read statement in an auto-commit transaction (docs/decisions.md, "Reads: one statement,
   * one message"): RUN and PULL in one write, no BEGIN and COMMIT round trips. Retried, as the
   * driver retries a managed transaction, on transient errors until maxRetryMs: a read has no
   * side effects.
   */
  async readOne<T extends RecordShape = RecordShape>(unit: string, name: string, params: Params = {}): Promise<T[]> {
    return this.runAlone<T>('READ', unit, name, params, true);
  }

  private readonly finishers: UnitFinisher<Tx>[] = [];
  private readonly commitListeners: CommitListener[] = [];

  /**
   * What every write appends of what its unit recorded, after its work and inside its
   * transaction, in the order given (the pending audit entries and pending events: neither takes
   * a shared lock). Wired once, by the composition of the app.
   */
  finishWritesWith(finisher: UnitFinisher<Tx>): void {
    this.finishers.push(finisher);
  }

  /** Told once after each write commits, with its unit (the sealer, holders-changed syncs). */
  onCommitted(listener: CommitListener): void {
    this.commitListeners.push(listener);
  }

  private readonly settlers: CommitSettler[] = [];

  /**
   * Awaited once after each write commits, after the listeners and before write() resolves (the
   * event sequencer: a write answers once its events have their seqs). A settler's failure is
   * logged, never the write's: its change has committed.
   */
  settleWritesWith(settler: CommitSettler): void {
    this.settlers.push(settler);
  }

  /**
   * One unit of work in one write transaction. The work may be retried by the driver on transient
   * errors, so it has no side effects of its own: it records events, audit changes and holder
   * changes on `tx.unit`, a fresh one per attempt; they are appended last inside the transaction
   * and acted on once it has committed. `unit` names the unit of work, as for `read`.
   */
  async write<T>(unit: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    const committed = await this.transaction('WRITE', (session, attempt) =>
      session.executeWrite(
        (raw) =>
          attempt(async () => {
            const unit = new UnitOfWork();
            const tx = new Tx(raw, this, unit);
            const result = await work(tx);
            for (const finish of this.finishers) await finish(tx, unit);
            return { result, unit };
          }),
        { metadata: metadataOf(unit) },
      ),
    );
    for (const listener of this.commitListeners) {
      try {
        listener(committed.unit);
      } catch (error) {
        this.logger.error('a commit listener failed', { message: (error as Error).message });
      }
    }
    for (const settle of this.settlers) {
      try {
        await settle(committed.unit);
      } catch (error) {
        this.logger.warn('a write committed; what follows its commit failed and is retried in the background', { message: (error as Error).message });
      }
    }
    return committed.result;
  }

  /**
   * Runs a statement in an auto-commit transaction (needed by CALL { ... } IN TRANSACTIONS; and one
   * round trip instead of two for a statement that is a transaction of its own, as a sequencing
   * pass). No finishers, listeners or settlers: nothing is recorded on a unit. Returns its rows.
   */
  async autoCommit<T extends RecordShape = RecordShape>(name: string, params: Params = {}): Promise<T[]> {
    return this.runAlone<T>('WRITE', `db.${name}`, name, params, false);
  }

  /** One statement as its own transaction, counted and timed; a read retries transient errors. */
  private async runAlone<T extends RecordShape>(mode: 'READ' | 'WRITE', unit: string, name: string, params: Params, retry: boolean): Promise<T[]> {
    const text = this.cypher.get(name);
    const values = toCypherValues(params) as Params;
    const until = performance.now() + this.maxRetryMs;
    return this.transaction(mode, async (session, attempt) => {
      for (let delay = 50; ; delay *= 2) {
        try {
          this.countStatement(name);
          const started = performance.now();
          const result = await attempt(() => withoutCallerStack(() => session.run<T>(text, values, { metadata: metadataOf(unit) })));
          this.timeStatement(name, performance.now() - started);
          return result.records.map((record) => record.toObject());
        } catch (error) {
          const code = (error as { code?: string }).code ?? '';
          if (!retry || !(/^Neo.TransientError/.test(code) || code === RACED) || performance.now() + delay > until) throw error;
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    });
  }

  /** Empties the graph (the schema stays): tests between files, the demo's --reset. */
  async emptyGraph(): Promise<void> {
    await this.autoCommit('admin/delete-all-relationships');
    await this.autoCommit('admin/delete-all-nodes');
  }

  /** Whether Neo4j answers now (the last probe's word if it is younger than a second). */
  async ping(): Promise<boolean> {
    return (await this.availability.recent()).up;
  }

  async close(): Promise<void> {
    await this.driver.close();
    await this.probeDriver.close();
  }

  /** Neo4j's errors become ours here and nowhere else; their text never reaches a client. */
  private translate(error: unknown): unknown {
    if (error instanceof AppError) return error;
    const code = (error as { code?: string }).code ?? '';
    // Not from the driver (a refusal rolling its transaction back, a bug): the caller's to handle and log.
    if (code === '' && !(error as Error)?.message?.startsWith('Connection acquisition timed out')) return error;
    this.logger.error('neo4j error', { code, message: (error as Error).message });
    if (code === 'Neo.ClientError.Schema.ConstraintValidationFailed') {
      return new AppError('CONFLICT', 'The change conflicts with existing data (a duplicate key)');
    }
    if (UNREACHABLE.test(code)) this.availability.markDown('the driver could not reach it');
    // Still transient after the driver's retries (a deadlock, an outage), or no pooled connection came free in time.
    if (TRANSIENT.test(code) || (error as Error)?.message?.startsWith('Connection acquisition timed out')) return serviceUnavailable();
    return error;
  }
}

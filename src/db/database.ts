/**
 * The one seam that touches the driver: a session per unit of work, executeRead/executeWrite,
 * named Cypher from the registry, transaction metadata, and Neo4j errors mapped to ours.
 */
import neo4j, { type Driver, type ManagedTransaction, type RecordShape } from 'neo4j-driver';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { cypherRegistry, type CypherRegistry } from './cypher.js';
import { noDelayOnBoltSockets } from './no-delay.js';
import { UnitOfWork, type CommitListener, type UnitFinisher } from './unit-of-work.js';

export interface Neo4jConnection {
  uri: string;
  user: string;
  password: string;
  database?: string | undefined;
  /** How long the driver retries a transaction that failed for a transient reason (Neo4j unreachable, a deadlock). */
  maxRetryMs?: number;
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
    const result = await this.raw.run<T>(text, toCypherValues(params) as Params);
    this.db.timeStatement(name, performance.now() - started);
    return result.records.map((record) => record.toObject());
  }

  async one<T extends RecordShape = RecordShape>(name: string, params: Params = {}): Promise<T | undefined> {
    const rows = await this.run<T>(name, params);
    return rows[0];
  }
}

/** JS numbers that are whole become Cypher integers (LIMIT, SKIP and counters need them). */
function toCypherValues(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? neo4j.int(value) : value;
  if (Array.isArray(value)) return value.map(toCypherValues);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCypherValues(v)]));
  }
  return value;
}

/** A transaction's metadata: the app, and the unit of work it runs. */
export const metadataOf = (unit: string): Params => ({ app: 'access-governance-engine', unit });

const TRANSIENT = /^Neo.TransientError|ServiceUnavailable|SessionExpired/;

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
    this.cypher = cypherRegistry();
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
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.READ });
    try {
      return await session.executeRead((raw) => work(new Tx(raw, this)), { metadata: metadataOf(unit) });
    } catch (error) {
      throw this.translate(error);
    } finally {
      await session.close();
    }
  }

  private readonly finishers: UnitFinisher<Tx>[] = [];
  private readonly commitListeners: CommitListener[] = [];

  /**
   * What every write appends of what its unit recorded, after its work and inside its
   * transaction, in the order given (the event log, then the audit chain last, so that its lock
   * is held the shortest time). Wired once, by the composition of the app.
   */
  finishWritesWith(finisher: UnitFinisher<Tx>): void {
    this.finishers.push(finisher);
  }

  /** Told once after each write commits, with its unit (event delivery, holders-changed syncs). */
  onCommitted(listener: CommitListener): void {
    this.commitListeners.push(listener);
  }

  /**
   * One unit of work in one write transaction. The work may be retried by the driver on transient
   * errors, so it has no side effects of its own: it records events, audit changes and holder
   * changes on `tx.unit`, a fresh one per attempt; they are appended last inside the transaction
   * and acted on once it has committed. `unit` names the unit of work, as for `read`.
   */
  async write<T>(unit: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.WRITE });
    let committed: { result: T; unit: UnitOfWork };
    try {
      committed = await session.executeWrite(
        async (raw) => {
          const unit = new UnitOfWork();
          const tx = new Tx(raw, this, unit);
          const result = await work(tx);
          for (const finish of this.finishers) await finish(tx, unit);
          return { result, unit };
        },
        { metadata: metadataOf(unit) },
      );
    } catch (error) {
      throw this.translate(error);
    } finally {
      await session.close();
    }
    for (const listener of this.commitListeners) {
      try {
        listener(committed.unit);
      } catch (error) {
        this.logger.error('a commit listener failed', { message: (error as Error).message });
      }
    }
    return committed.result;
  }

  /** Runs a statement in an auto-commit transaction (needed by CALL { ... } IN TRANSACTIONS). */
  async autoCommit(name: string, params: Params = {}): Promise<void> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.WRITE });
    try {
      this.countStatement(name);
      await session.run(this.cypher.get(name), toCypherValues(params) as Params, { metadata: metadataOf(`db.${name}`) });
    } catch (error) {
      throw this.translate(error);
    } finally {
      await session.close();
    }
  }

  /** Empties the graph (the schema stays): tests between files, the demo's --reset. */
  async emptyGraph(): Promise<void> {
    await this.autoCommit('admin/delete-all-relationships');
    await this.autoCommit('admin/delete-all-nodes');
  }

  async ping(): Promise<boolean> {
    try {
      await this.driver.executeQuery('RETURN 1', {}, { database: this.database, transactionConfig: { metadata: metadataOf('db.ping') } });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  /** Neo4j's errors become ours here and nowhere else; their text never reaches a client. */
  private translate(error: unknown): unknown {
    if (error instanceof AppError) return error;
    const code = (error as { code?: string }).code ?? '';
    this.logger.error('neo4j error', { code, message: (error as Error).message });
    if (code === 'Neo.ClientError.Schema.ConstraintValidationFailed') {
      return new AppError('CONFLICT', 'The change conflicts with existing data (a duplicate key)');
    }
    if (TRANSIENT.test(code)) return new AppError('INTERNAL', 'The database is unavailable; try again');
    return error;
  }
}

/**
 * Failing fast while Neo4j is unreachable (docs/security.md, "Neo4j down"). The driver retries a
 * transaction for as long as NEO4J_MAX_RETRY_MS whatever the cause, which is right for a deadlock
 * but kept every request of an outage waiting 15-30 s before an INTERNAL. Here:
 * - a probe (`RETURN 1` on a driver of its own, so a busy pool cannot delay it) says whether Neo4j
 *   answers, shared by whoever asks at once and remembered for a second; only a definite failure
 *   (refused or timed-out connection, no answer in PROBE_GIVE_UP_FACTOR x waitMs) counts as down:
 *   a probe slowed by load is no outage;
 * - a transaction that has waited `waitMs` without an attempt of its work running asks the probe;
 *   if Neo4j is down, it is abandoned (its work never runs afterwards) and fails with
 *   SERVICE_UNAVAILABLE, and the database is marked down;
 * - while it is marked down, a transaction fails at once, unless the last probe is older than a
 *   second: then it waits for a fresh one (at most `waitMs`), and goes ahead if Neo4j is back.
 */
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';

/** How long a client should wait before it retries a request refused while Neo4j is down. */
export const RETRY_AFTER_SECONDS = 2;
/** How long a probe's answer is reused (by /health and by transactions while Neo4j is down). */
export const PROBE_REUSE_MS = 1_000;

/** A probe that has not answered after this many times waitMs counts as Neo4j down. */
const PROBE_GIVE_UP_FACTOR = 10;

export type Probe = { up: true } | { up: false; reason: string };

export function serviceUnavailable(message = 'The database is unavailable; retry shortly'): AppError {
  return new AppError('SERVICE_UNAVAILABLE', message, {
    retryAfterSeconds: RETRY_AFTER_SECONDS,
    http: { status: 503, headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } },
  });
}

/** Thrown into the driver by the work of an abandoned transaction: not retriable, so the driver rolls back and stops. */
class Abandoned extends Error {
  constructor() {
    super('the transaction was abandoned while Neo4j was unreachable');
  }
}

export class Availability {
  private down = false;
  /** Probes run since start: the health test reads it. */
  probes = 0;
  private probing: Promise<Probe> | null = null;
  private last: { at: number; probe: Probe } | null = null;

  constructor(
    private readonly ping: () => Promise<void>,
    /** How long a transaction waits without a running attempt before it asks the probe (the probe's connection timeout too). */
    readonly waitMs: number,
    private readonly logger: Logger,
  ) {}

  get isDown(): boolean {
    return this.down;
  }

  /** Asks Neo4j now (joining a probe under way). */
  probe(): Promise<Probe> {
    this.probing ??= this.runProbe().finally(() => {
      this.probing = null;
    });
    return this.probing;
  }

  /** The last probe's answer if it is younger than maxAgeMs, else a fresh one. */
  recent(maxAgeMs = PROBE_REUSE_MS): Promise<Probe> {
    if (this.last && Date.now() - this.last.at < maxAgeMs) return Promise.resolve(this.last.probe);
    return this.probe();
  }

  /** The driver reported Neo4j unreachable (or a probe did): transactions fail fast until a probe answers. */
  markDown(reason: string): void {
    if (!this.down) this.logger.warn('neo4j is unreachable: requests fail fast until it answers', { reason });
    this.down = true;
  }

  /** Before a transaction: throws SERVICE_UNAVAILABLE while Neo4j is down and the last word on it says so. */
  async admit(): Promise<void> {
    if (!this.down) return;
    const probe = await this.recent();
    if (!probe.up) throw serviceUnavailable(`The database is unavailable (${probe.reason}); retry shortly`);
  }

  /**
   * Runs one driver transaction (`run` calls `attempt` around each try of the work) so that it
   * fails with SERVICE_UNAVAILABLE once it has waited waitMs for Neo4j with no attempt running and
   * a probe says Neo4j does not answer. An attempt under way is never cut short.
   */
  guard<T>(run: (attempt: <R>(work: () => Promise<R>) => Promise<R>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let abandoned = false;
      let running = false;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          void this.probe().then((probe) => {
            if (settled || running) return;
            if (probe.up) return arm(); // the pool is busy or the driver backs off a deadlock: keep waiting
            abandoned = true;
            settled = true;
            reject(serviceUnavailable(`The database is unavailable (${probe.reason}); retry shortly`));
          });
        }, this.waitMs);
      };
      const attempt = async <R>(work: () => Promise<R>): Promise<R> => {
        if (abandoned) throw new Abandoned();
        clearTimeout(timer);
        running = true;
        try {
          return await work();
        } catch (error) {
          arm(); // the driver may retry: wait for the next attempt as for the first
          throw error;
        } finally {
          running = false;
        }
      };
      arm();
      run(attempt).then(
        (value) => {
          clearTimeout(timer);
          if (settled) return;
          settled = true;
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (settled) return;
          settled = true;
          reject(error);
        },
      );
    });
  }

  private async runProbe(): Promise<Probe> {
    this.probes += 1;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Probe>((resolve) => {
      timer = setTimeout(() => resolve({ up: false, reason: 'it did not answer' }), this.waitMs * PROBE_GIVE_UP_FACTOR);
    });
    const answered = this.ping().then(
      (): Probe => ({ up: true }),
      (error: unknown): Probe => ({ up: false, reason: reasonOf(error) }),
    );
    const probe = await Promise.race([answered, timeout]);
    clearTimeout(timer);
    this.last = { at: Date.now(), probe };
    if (probe.up) {
      if (this.down) this.logger.info('neo4j answers again');
      this.down = false;
    } else {
      this.markDown(probe.reason);
    }
    return probe;
  }
}

/** What a client may read of why Neo4j did not answer: the kind of failure, never an address or the driver's text. */
function reasonOf(error: unknown): string {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'ServiceUnavailable' || code === 'SessionExpired') return 'it cannot be reached';
  if (code.startsWith('Neo.ClientError.Security')) return 'it refused the credentials';
  return 'it did not answer';
}

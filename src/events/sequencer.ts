/**
 * The event log's sequencer: gives the events that writes recorded as pending their seqs, after
 * those writes committed. One pass is one statement in one auto-commit transaction: it locks the log's counter
 * (`(:Counter {name: 'events'})`), takes the pending events (oldest stamp first, a bounded page,
 * never splitting one write's events), gives them consecutive seqs after the counter and moves it.
 * Many writes' events go in one pass, so the counter's lock is taken once per pass instead of once
 * per write, and no write holds it: independent writes no longer commit one at a time.
 *
 * The seqs, the events' (:Event) label and the counter commit together, so what readers see of
 * the log is always a gap-free prefix: a cursor never skips an event that is sequenced later, and
 * delivery (src/events/stream.ts) reads only sequenced events, as before.
 *
 * A write waits for a pass that started after its commit before it answers (Database
 * settleWritesWith): when a mutation has answered, its events are in the log, and a change a
 * client makes after that answer, on any instance, is sequenced after them. Passes run on this
 * instance one at a time; passes of several instances queue on the counter's lock, and whichever
 * comes second finds the events sequenced already. Every catchUpMs each instance also sequences
 * what an instance that crashed between its commit and its pass left pending.
 */
import type { Database } from '../db/database.js';
import { now } from '../ids.js';
import type { Logger } from '../logger.js';
import { SerialPasses } from '../passes.js';

/** How often each instance looks for events left pending (an instance that crashed after commit). */
export const SEQUENCE_CATCH_UP_MS = 2_000;
/** Pending events sequenced per pass at most (plus the rest of the last write's). */
const PAGE = 2000;

export class EventSequencer {
  private readonly queue = new SerialPasses(() => this.sequenceAll());
  private readonly listeners: (() => void)[] = [];
  /** Events sequenced by this instance since start, and in how many passes: the benchmarks print them. */
  sequencedCount = 0;
  passes = 0;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly catchUpMs = SEQUENCE_CATCH_UP_MS,
  ) {}

  get busy(): boolean {
    return this.queue.busy;
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Told after each pass that sequenced events has committed (the stream reads the log then). */
  onSequenced(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Starts the catch-up: a look now (what a crash left) and every catchUpMs. */
  start(): void {
    this.queue.every(this.catchUpMs, () => this.catchUp());
  }

  stop(): Promise<void> {
    return this.queue.stop();
  }

  /**
   * Resolves once a pass that started after this call has finished: every event committed before
   * the call is sequenced (by this instance or another). Calls made while a pass runs share the
   * one queued after it. Rejects when that pass failed (the catch-up retries it).
   */
  sequenced(): Promise<void> {
    return this.queue.next();
  }

  /** A read first, so an idle log costs no write; a pass only when something waits. */
  private catchUp(): void {
    if (this.queue.stopped) return;
    const work = this.db
      .read('events.pending', (tx) => tx.one<{ pending: number }>('events/count-pending-events'))
      .then((row) => (Number(row?.pending ?? 0) > 0 ? this.sequenced() : undefined))
      .catch((error: Error) => this.logger.warn('events: a sequencing pass failed; the next one sequences what it left', { message: error.message }));
    void this.queue.track(work);
  }


  /** Passes until a page is not full. */
  private async sequenceAll(): Promise<void> {
    for (;;) {
      const sequenced = await this.pass();
      if (sequenced > 0) {
        this.sequencedCount += sequenced;
        this.passes += 1;
        for (const listener of this.listeners) {
          try {
            listener();
          } catch (error) {
            this.logger.error('events: a sequencing listener failed', { message: (error as Error).message });
          }
        }
      }
      if (sequenced < PAGE) return;
    }
  }

  /**
   * One statement in an auto-commit transaction (one round trip): the counter is locked before
   * the pending events are read (see the file), and everything it did commits at once.
   */
  private async pass(): Promise<number> {
    const [done] = await this.db.autoCommit<{ sequenced: number; lastSeq: number }>('events/sequence-pending', { now: now(), limit: PAGE });
    return Number(done?.sequenced ?? 0);
  }
}

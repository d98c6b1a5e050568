/**
 * Background passes of one kind (the audit sealer's, the event sequencer's) run on this instance
 * one at a time. `next()` resolves once a pass that started after the call has finished: with
 * none running it starts one; while one runs, every caller shares the single pass queued after it.
 * The owner's catch-up (a look every few seconds for what a crashed instance left) runs through
 * `every`, and `stop` ends both and waits out what is under way.
 */
import { InFlight } from './in-flight.js';

const noop = () => {};

export class SerialPasses {
  private readonly inFlight = new InFlight();
  private current: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ended = false;

  constructor(private readonly run: () => Promise<void>) {}

  get busy(): boolean {
    return this.inFlight.busy;
  }

  /** True once stop() was called: no pass starts any more. */
  get stopped(): boolean {
    return this.ended;
  }

  idle(): Promise<void> {
    return this.inFlight.idle();
  }

  /** Tracks background work of the owner (its catch-up's look) until it settles. */
  track<T>(work: Promise<T>): Promise<T> {
    return this.inFlight.track(work);
  }

  /** Calls `look` now and every `everyMs` until stop(). */
  every(everyMs: number, look: () => void): void {
    look();
    this.timer = setInterval(look, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.idle();
  }

  next(): Promise<void> {
    if (this.ended) return Promise.resolve();
    if (this.queued) return this.queued;
    if (!this.current) return this.begin();
    this.queued = this.current.then(noop, noop).then(() => {
      this.queued = null;
      return this.begin();
    });
    return this.queued;
  }

  private begin(): Promise<void> {
    const pass = this.inFlight.track(this.run()).finally(() => {
      if (this.current === pass) this.current = null;
    });
    this.current = pass;
    return pass;
  }
}

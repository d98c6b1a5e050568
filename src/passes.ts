/**
 * Background passes of one kind (the audit sealer's, the event sequencer's) run on this instance
 * one at a time. `next()` resolves once a pass that started after the call has finished: with
 * none running it starts one; while one runs, every caller shares the single pass queued after it.
 */
import type { InFlight } from './in-flight.js';

const noop = () => {};

export class SerialPasses {
  private current: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(
    private readonly run: () => Promise<void>,
    private readonly inFlight: InFlight,
  ) {}

  next(): Promise<void> {
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

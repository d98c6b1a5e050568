/**
 * One subscriber's stream of the event log: its filter and authorization (`accept`, asked once
 * per event), the replay from its cursor with live events held back until the replay reaches
 * them (dedupe by seq), and the backlog limits that drop a subscriber too far behind.
 */
import { AppError } from '../errors.js';
import type { Delivery } from './records.js';
import { EVENT_READ_BATCH } from './replay.js';
import type { EventStream } from './stream.js';

/** A subscriber this many events behind is dropped (it resumes with its last cursor). */
const MAX_BACKLOG = 10_000;
/** A replay reads ahead at most this far of what its subscriber has taken. */
const REPLAY_HIGH_WATER = 2 * EVENT_READ_BATCH;

/**
 * One subscriber's stream, an async iterator that `return()` ends at once (graphql-ws calls it
 * when the client completes or disconnects), even while it waits for the next event.
 */
export class EventSubscription implements AsyncIterableIterator<Delivery> {
  private readonly ready: Delivery[] = [];
  private live: Delivery[] = [];
  private replaying: boolean;
  private failure: Error | null = null;
  private done = false;
  private waiting: ((result: IteratorResult<Delivery>) => void) | null = null;
  private failWaiting: ((error: Error) => void) | null = null;
  private drained: (() => void) | null = null;

  constructor(
    private readonly stream: EventStream,
    private readonly accept: (delivery: Delivery) => boolean,
    /** The last seq this subscriber has been given or skipped. */
    private last: number,
    replay: boolean,
    private readonly onClose: () => void,
  ) {
    this.replaying = replay;
  }

  get lastSeq(): number {
    return this.last;
  }

  /** True once the stream has ended (closed, failed or ended by the server). */
  get ended(): boolean {
    return this.done;
  }

  /** Live events from the dispatcher: held back while the replay runs. */
  pushLive(deliveries: Delivery[]): void {
    if (this.done) return;
    if (this.replaying) {
      this.live.push(...deliveries);
      if (this.live.length > MAX_BACKLOG) this.fail(this.behindError());
      return;
    }
    this.take(deliveries);
  }

  /** The log restarted (emptied graph): seqs begin again at 1. */
  restart(): void {
    this.last = 0;
    this.live = [];
  }

  async replay(): Promise<void> {
    try {
      for (;;) {
        const page = await this.stream.page(this.last);
        if (this.done) return;
        this.take(await this.stream.enrich(page));
        if (page.length < EVENT_READ_BATCH) break;
        while (this.ready.length > REPLAY_HIGH_WATER && !this.done) await new Promise<void>((resolve) => (this.drained = resolve));
      }
      // The replay reached the log's head as it was when read; live events go on from there.
      this.replaying = false;
      const held = this.live;
      this.live = [];
      this.take(held);
    } catch (error) {
      this.fail(error instanceof AppError ? error : new AppError('INTERNAL', 'Replaying events failed; resubscribe with your last cursor'));
    }
  }

  private take(deliveries: Delivery[]): void {
    for (const delivery of deliveries) {
      if (delivery.event.seq <= this.last) continue;
      this.last = delivery.event.seq;
      let accepted: boolean;
      try {
        accepted = this.accept(delivery);
      } catch (error) {
        // `accept` throws to end the subscription (the viewer may no longer see this stream at all).
        this.end(error instanceof Error ? error : new AppError('INTERNAL', 'The subscription ended'));
        return;
      }
      if (accepted) this.ready.push(delivery);
    }
    if (this.ready.length > MAX_BACKLOG + REPLAY_HIGH_WATER) {
      this.fail(this.behindError());
      return;
    }
    this.wake();
  }

  private behindError(): AppError {
    return new AppError('CONFLICT', 'This subscriber fell too far behind; resubscribe with the cursor of the last event received');
  }

  private wake(): void {
    if (!this.waiting) return;
    const delivery = this.ready.shift();
    if (delivery) {
      const resolve = this.waiting;
      this.waiting = null;
      this.failWaiting = null;
      resolve({ value: delivery, done: false });
    }
  }

  private fail(error: Error): void {
    if (this.done) return;
    this.failure = error;
    this.finish();
    if (this.failWaiting) {
      const reject = this.failWaiting;
      this.waiting = null;
      this.failWaiting = null;
      this.failure = null;
      reject(error);
    }
  }

  private finish(): void {
    this.done = true;
    this.ready.length = 0;
    this.live = [];
    this.drained?.();
    this.onClose();
  }

  /**
   * Ends the stream from the server's side with `error` as its last result (a revoked token, a
   * disabled user, a role that may no longer see the stream): what was queued is dropped, the
   * subscriber gets one result whose resolution throws `error`, then the end of the stream.
   */
  end(error: Error): void {
    if (this.done) return;
    this.finish();
    const last: Delivery = { event: { seq: this.last, type: 'TOKEN_REVOKED', at: new Date().toISOString(), taskId: null, runId: null, profileId: null, userId: null, payload: null }, task: null, refusal: error };
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      this.failWaiting = null;
      resolve({ value: last, done: false });
    } else {
      this.ready.push(last);
    }
  }

  /** Ends the stream from the server's side (shutdown). */
  close(): void {
    if (this.done) return;
    this.finish();
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      this.failWaiting = null;
      resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<Delivery>> {
    const delivery = this.ready.shift();
    if (this.ready.length <= REPLAY_HIGH_WATER / 2 && this.drained) {
      const drained = this.drained;
      this.drained = null;
      drained();
    }
    if (delivery) return Promise.resolve({ value: delivery, done: false });
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      return Promise.reject(failure);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<Delivery>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<Delivery>> {
    this.close();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Delivery> {
    return this;
  }
}

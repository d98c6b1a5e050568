/**
 * Delivery of the event log to subscribers on this instance.
 *
 * The dispatcher keeps `head`, the last seq handed to local subscribers, and only ever moves it
 * forward one seq at a time: events come from the log (after a local commit, on a short poll,
 * or to fill a gap) or from Redis when they follow `head` directly. A subscription with a
 * cursor replays from the log while buffering live events, then drops what the replay already
 * covered (dedupe by seq), so nothing is lost or repeated at the seam.
 */
import type { Database } from '../db/database.js';
import { InFlight } from '../in-flight.js';
import { AppError, badInput } from '../errors.js';
import { decodeGlobalId, encodeGlobalId } from '../ids.js';
import type { Logger } from '../logger.js';
import type { EventBus } from './bus.js';
import type { Delivery, StoredEvent } from './records.js';
import { eventReads, eventWrites } from './repository.js';

export const EVENT_READ_BATCH = 1000;
/** Events older than this may be pruned; a cursor from before what is kept is refused. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 3600 * 1000;
const PRUNE_BATCH = 5000;
/** A subscriber this many events behind is dropped (it resumes with its last cursor). */
const MAX_BACKLOG = 10_000;
/** A replay reads ahead at most this far of what its subscriber has taken. */
const REPLAY_HIGH_WATER = 2 * EVENT_READ_BATCH;

export const cursorOf = (seq: number): string => encodeGlobalId('Event', String(seq));

export function seqOfCursor(cursor: string): number {
  const { type, id } = decodeGlobalId(cursor);
  const seq = Number(id);
  if (type !== 'Event' || !Number.isSafeInteger(seq) || seq < 0) throw badInput('Invalid event cursor');
  return seq;
}

export interface EventStreamOptions {
  pollMs?: number;
  retentionMs?: number;
}

type Listener = (deliveries: Delivery[]) => void;

export class EventStream {
  private head = 0;
  private readonly subscriptions = new Set<EventSubscription>();
  private readonly listeners: Listener[] = [];
  private readonly inbox: StoredEvent[] = [];
  private running: Promise<void> | null = null;
  private readonly pruning = new InFlight();
  private openedCount = 0;
  private rerun = false;
  private stopped = false;
  private readonly timers: NodeJS.Timeout[] = [];
  readonly ready: Promise<void>;
  readonly pollMs: number;
  readonly retentionMs: number;

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    options: EventStreamOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.ready = this.start();
    this.ready.catch((error: Error) => this.logger.error('events: could not start delivery', { message: error.message }));
  }

  private async start(): Promise<void> {
    // Subscribers get what commits from now on; earlier events are for cursors to replay.
    this.head = (await this.db.read((tx) => eventReads.bounds(tx))).head;
    this.bus.onMessage((events) => {
      if (this.stopped) return;
      this.inbox.push(...events);
      this.trigger();
    });
    const poll = setInterval(() => this.trigger(), this.pollMs);
    const prune = setInterval(() => void this.prune().catch((error: Error) => this.logger.warn('events: prune failed', { message: error.message })), PRUNE_EVERY_MS);
    poll.unref();
    prune.unref();
    this.timers.push(poll, prune);
  }

  /** After a local write that recorded events commits: read the log now (Database.onCommitted lands here). */
  committed(): void {
    this.trigger();
  }

  /** Local consumers of every delivered event (the webhook notifier). Called after subscribers. */
  onDelivery(listener: Listener): void {
    this.listeners.push(listener);
  }

  get deliveredThrough(): number {
    return this.head;
  }

  get subscriberCount(): number {
    return this.subscriptions.size;
  }

  /** Subscriptions opened on this instance since it started (a client can tell its own has registered). */
  get opened(): number {
    return this.openedCount;
  }

  /** True while a delivery pass or a prune runs, or events heard from Redis wait for one. */
  get busy(): boolean {
    return this.running !== null || this.pruning.busy || this.inbox.length > 0;
  }

  /**
   * Resolves once everything committed to the log so far has been handed to this instance's
   * subscribers and listeners, and no prune runs (App.idle waits on it).
   */
  async idle(): Promise<void> {
    await this.ready;
    for (;;) {
      if (this.running || this.pruning.busy) {
        await Promise.allSettled([this.running, this.pruning.idle()]);
        continue;
      }
      if (this.stopped) return;
      const { head } = await this.db.read((tx) => eventReads.bounds(tx));
      if (head === this.head && !this.busy) return;
      this.trigger();
    }
  }

  private trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = this.ready
      .then(async () => {
        do {
          this.rerun = false;
          await this.catchUp();
        } while (this.rerun && !this.stopped);
      })
      .catch((error: Error) => this.logger.warn('events: delivery pass failed, the next poll retries', { message: error.message }))
      .finally(() => {
        this.running = null;
      });
  }

  /** One delivery pass: take what Redis brought if it follows on, read the rest from the log. */
  private async catchUp(): Promise<void> {
    const heard = this.inbox.splice(0).sort((a, b) => a.seq - b.seq);
    const next: StoredEvent[] = [];
    let expected = this.head + 1;
    for (const event of heard) {
      if (event.seq < expected) continue;
      if (event.seq !== expected) break;
      next.push(event);
      expected += 1;
    }
    if (next.length > 0) await this.deliver(next);
    for (;;) {
      const { head, events } = await this.db.read((tx) => eventReads.after(tx, this.head, EVENT_READ_BATCH));
      if (head < this.head) {
        // The counter went back: the graph was emptied (tests do it). Start again from its start.
        this.logger.warn('events: the log restarted, delivery follows it', { was: this.head, now: head });
        this.head = 0;
        for (const subscription of this.subscriptions) subscription.restart();
        continue;
      }
      if (events.length === 0) return;
      await this.deliver(events);
      this.bus.publish(events);
      if (events.length < EVENT_READ_BATCH) return;
    }
  }

  private async deliver(events: StoredEvent[]): Promise<void> {
    const deliveries = await this.enrich(events);
    this.head = events[events.length - 1]!.seq;
    for (const subscription of this.subscriptions) subscription.pushLive(deliveries);
    for (const listener of this.listeners) {
      try {
        listener(deliveries);
      } catch (error) {
        this.logger.error('events: a delivery listener failed', { message: (error as Error).message });
      }
    }
  }

  /** Reads once, for every subscriber of this instance, the tasks the events are about. */
  async enrich(events: StoredEvent[]): Promise<Delivery[]> {
    // Only subscribers look at tasks (to authorise and filter); with none, reading them is waste
    // (a bulk cascade commits thousands of task events at once).
    if (this.subscriptions.size === 0) return events.map((event) => ({ event, task: null }));
    const taskIds = [...new Set(events.map((e) => e.taskId).filter((id): id is string => id !== null))];
    const tasks = taskIds.length > 0 ? await this.db.read((tx) => eventReads.tasks(tx, taskIds)) : [];
    const byId = new Map(tasks.map((t) => [t.id, t]));
    return events.map((event) => ({ event, task: event.taskId ? (byId.get(event.taskId) ?? null) : null }));
  }

  /**
   * Opens a subscription: live events from now, or with `after` a replay of everything since that
   * seq first. `accept` is the subscriber's filter and authorization, asked once per event.
   */
  async subscribe(after: number | null, accept: (delivery: Delivery) => boolean): Promise<EventSubscription> {
    await this.ready;
    if (this.stopped) throw new AppError('INTERNAL', 'The server is shutting down');
    if (after !== null) {
      const { head, oldest } = await this.db.read((tx) => eventReads.bounds(tx));
      if (after > head) throw badInput('Unknown event cursor: it is ahead of the event log');
      if (after < head && (oldest === null || oldest > after + 1)) {
        throw badInput(`Event cursor too old: events are kept ${Math.round(this.retentionMs / 3600_000)} hours and those after it were pruned; subscribe without "after" and reload the current state`);
      }
    }
    const subscription = new EventSubscription(this, accept, after ?? this.head, after !== null, () => this.subscriptions.delete(subscription));
    this.subscriptions.add(subscription);
    this.openedCount += 1;
    if (after !== null) void subscription.replay();
    return subscription;
  }

  /** Reads a page of the log for a replay. */
  async page(after: number): Promise<StoredEvent[]> {
    return (await this.db.read((tx) => eventReads.after(tx, after, EVENT_READ_BATCH))).events;
  }

  /** Deletes events older than the retention (or than `before`), oldest first, in bounded batches. */
  prune(before = new Date(Date.now() - this.retentionMs).toISOString()): Promise<number> {
    return this.pruning.track(
      (async () => {
        let total = 0;
        for (;;) {
          const deleted = await this.db.write((tx) => eventWrites.prune(tx, before, PRUNE_BATCH));
          total += deleted;
          if (deleted < PRUNE_BATCH) return total;
        }
      })(),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const subscription of [...this.subscriptions]) subscription.close();
    await this.running;
    await this.bus.close();
  }
}

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
      if (this.accept(delivery)) this.ready.push(delivery);
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

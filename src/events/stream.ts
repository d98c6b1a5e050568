/**
 * Delivery of the event log to subscribers on this instance.
 *
 * The dispatcher keeps `head`, the last seq handed to local subscribers, and only ever moves it
 * forward one seq at a time: events come from the log (after a local commit, on a short poll,
 * or to fill a gap) or from Redis when they follow `head` directly. A subscription with a
 * cursor replays from the log while buffering live events, then drops what the replay already
 * covered (dedupe by seq), so nothing is lost or repeated at the seam.
 *
 * This file owns the dispatcher and the fan-out to subscriptions and listeners; one subscriber's
 * buffering and filtering is src/events/subscription.ts, cursors src/events/replay.ts, and
 * retention src/events/prune.ts.
 */
import type { Database } from '../db/database.js';
import { InFlight } from '../in-flight.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { EventBus } from './bus.js';
import { CREDENTIAL_EVENT_TYPES } from './domain.js';
import { DEFAULT_RETENTION_MS, PRUNE_EVERY_MS, pruneEvents } from './prune.js';
import type { Delivery, StoredEvent } from './records.js';
import { checkReplayable, EVENT_READ_BATCH } from './replay.js';
import { eventReads } from './repository.js';
import { EventSubscription } from './subscription.js';

/** Cursors are part of the stream's API (the schema and tests read them from here). */
export { cursorOf, seqOfCursor } from './replay.js';

export interface EventStreamOptions {
  pollMs?: number;
  retentionMs?: number;
}

type Listener = (deliveries: Delivery[]) => void;

export class EventStream {
  private head = 0;
  private readonly subscriptions = new Set<EventSubscription>();
  private readonly listeners: Listener[] = [];
  private readonly watchers: Listener[] = [];
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
    this.pollMs = options.pollMs ?? 250;
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.ready = this.start();
    this.ready.catch((error: Error) => this.logger.error('events: could not start delivery', { message: error.message }));
  }

  private async start(): Promise<void> {
    // Subscribers get what commits from now on; earlier events are for cursors to replay.
    this.head = (await this.db.read('events.head', (tx) => eventReads.bounds(tx))).head;
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

  /**
   * Told of every delivered batch before any subscriber sees it (src/security/live.ts: a revoked
   * token or a changed role applies to the events after it). Must not throw.
   */
  beforeSubscribers(watcher: Listener): void {
    this.watchers.push(watcher);
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
      const { head } = await this.db.read('events.head', (tx) => eventReads.bounds(tx));
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
      // Nobody here reads task or sync events (no subscription, no listener, no shared bus): only
      // the credential events the watchers follow are read, and the head moves to the log's.
      const opened = this.openedCount;
      const skim = this.subscriptions.size === 0 && this.listeners.length === 0 && !this.bus.shared;
      const { head, events } = await this.db.read('events.catchUp', (tx) => eventReads.after(tx, this.head, EVENT_READ_BATCH, skim ? CREDENTIAL_EVENT_TYPES : null));
      if (head < this.head) {
        // The counter went back: the graph was emptied (tests do it). Start again from its start.
        this.logger.warn('events: the log restarted, delivery follows it', { was: this.head, now: head });
        this.head = 0;
        for (const subscription of this.subscriptions) subscription.restart();
        continue;
      }
      if (skim) {
        // A subscription opened meanwhile gets every event from the head it started at: read again in full.
        if (this.openedCount !== opened) continue;
        // Synchronous from here to the head's move, so no subscription opens in between.
        const deliveries = events.map((event) => ({ event, task: null }));
        if (deliveries.length > 0) for (const watcher of this.watchers) watcher(deliveries);
        const done = events.length < EVENT_READ_BATCH;
        this.head = done ? head : events[events.length - 1]!.seq;
        if (done) return;
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
    for (const watcher of this.watchers) watcher(deliveries);
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
    const tasks = taskIds.length > 0 ? await this.db.read('events.enrich', (tx) => eventReads.tasks(tx, taskIds)) : [];
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
    if (after !== null) await checkReplayable(this.db, after, this.retentionMs);
    const subscription = new EventSubscription(this, accept, after ?? this.head, after !== null, () => this.subscriptions.delete(subscription));
    this.subscriptions.add(subscription);
    this.openedCount += 1;
    if (after !== null) void subscription.replay();
    return subscription;
  }

  /** Reads a page of the log for a replay. */
  async page(after: number): Promise<StoredEvent[]> {
    return (await this.db.read('events.page', (tx) => eventReads.after(tx, after, EVENT_READ_BATCH))).events;
  }

  /** Deletes events older than the retention (or than `before`), oldest first, in bounded batches. */
  prune(before = new Date(Date.now() - this.retentionMs).toISOString()): Promise<number> {
    return this.pruning.track(pruneEvents(this.db, before));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const subscription of [...this.subscriptions]) subscription.close();
    await this.running;
    await this.bus.close();
  }
}

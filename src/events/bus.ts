/**
 * How committed events travel between API instances. In-process (no REDIS_URL): nothing to
 * carry, each instance reads the log itself. Redis: each instance publishes what it reads from
 * the log, every instance hears it at once. Redis is an accelerator, never the record: a message
 * lost while Redis blips is read from Neo4j by the next poll, and a subscriber resumes by cursor.
 */
import { batchesOf } from '../batches.js';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { StoredEvent } from './records.js';

export interface EventBus {
  /** Whether other instances hear what this one publishes (then it publishes every event it reads). */
  readonly shared: boolean;
  publish(events: StoredEvent[]): void;
  onMessage(listener: (events: StoredEvent[]) => void): void;
  close(): Promise<void>;
}

export class InProcessBus implements EventBus {
  readonly shared = false;
  publish(): void {}
  onMessage(): void {}
  async close(): Promise<void> {}
}

/** The Redis channel every instance publishes its delivered events on. */
export const EVENTS_CHANNEL = 'access-governance:events';
const MESSAGE_EVENTS = 500;

export class RedisBus implements EventBus {
  readonly shared = true;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly listeners: ((events: StoredEvent[]) => void)[] = [];
  private lastErrorLogged = 0;

  constructor(url: string, private readonly logger: Logger) {
    const retryStrategy = (times: number) => Math.min(100 * times, 2000);
    // Publishing never waits for a reconnect: a message that cannot go now is read from the log by the other instances' poll.
    this.publisher = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy, lazyConnect: false });
    this.subscriber = new Redis(url, { retryStrategy, autoResubscribe: true });
    for (const client of [this.publisher, this.subscriber]) client.on('error', (error: Error) => this.logError(error));
    this.subscriber.on('message', (_channel: string, message: string) => {
      let events: StoredEvent[];
      try {
        events = JSON.parse(message) as StoredEvent[];
      } catch {
        this.logger.warn('events: unreadable redis message dropped');
        return;
      }
      for (const listener of this.listeners) listener(events);
    });
    this.subscriber.subscribe(EVENTS_CHANNEL).catch((error: Error) => this.logError(error));
  }

  /** Resolves once both connections are up and the channel is subscribed (tests and the benchmark wait on it). */
  async ready(): Promise<void> {
    const up = (client: Redis) => (client.status === 'ready' ? Promise.resolve() : new Promise<void>((resolve) => client.once('ready', () => resolve())));
    await Promise.all([up(this.publisher), up(this.subscriber)]);
  }

  publish(events: StoredEvent[]): void {
    for (const batch of batchesOf(events, MESSAGE_EVENTS)) {
      this.publisher.publish(EVENTS_CHANNEL, JSON.stringify(batch)).catch((error: Error) => this.logError(error));
    }
  }

  onMessage(listener: (events: StoredEvent[]) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }

  /** One line per few seconds while Redis is down, not one per retry. */
  private logError(error: Error): void {
    const at = Date.now();
    if (at - this.lastErrorLogged < 5000) return;
    this.lastErrorLogged = at;
    this.logger.warn('events: redis unavailable, falling back to polling the log', { message: error.message });
  }
}

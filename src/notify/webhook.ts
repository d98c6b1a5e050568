/**
 * Notifications to a Slack-compatible webhook (`{"text": ...}`): a paused sync tells the admins
 * who must review it. Sent after commit, off the sync's path, retried with backoff. With several
 * instances every one sees the event; a claim on the Event node in Neo4j lets exactly one send it,
 * and the outcome (SENT / FAILED, attempts, error) is recorded there and logged: never lost silently.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.js';
import { InFlight } from '../in-flight.js';
import { directoryReads } from '../directory/repository.js';
import { encodeGlobalId, now } from '../ids.js';
import type { Logger } from '../logger.js';
import { stagedRemovalsOf, type Delivery, type StoredEvent } from '../events/records.js';
import { eventWrites } from '../events/repository.js';

export interface WebhookOptions {
  url: string;
  publicUrl: string;
  /** Tries in all (the first and the retries). */
  attempts?: number;
  /** The first retry waits this long; each next one twice as long (plus jitter), at most 60 s. */
  baseDelayMs?: number;
  timeoutMs?: number;
}

/** The share in percent the event recorded, else computed from the counts (one decimal). */
function percentOf(recorded: unknown, staged: number, members: number): number {
  return typeof recorded === 'number' && Number.isFinite(recorded) ? recorded : Math.round((staged / members) * 1000) / 10;
}

/** Slack's escaping of text: &, < and > would otherwise start entities and links. */
const escapeText = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** "Display Name (email)" for each user the event names (older events name none). */
function namedUsers(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((u: unknown) => {
    if (typeof u !== 'object' || u === null) return [];
    const { displayName, email, externalId } = u as Record<string, unknown>;
    const who = typeof displayName === 'string' && displayName !== '' ? displayName : typeof externalId === 'string' ? externalId : null;
    if (who === null) return [];
    return [escapeText(typeof email === 'string' && email !== '' ? `${who} (${email})` : who)];
  });
}

/** A claim older than this with no outcome belongs to an instance that died; another may take it over. */
const STALE_CLAIM_MS = 10 * 60 * 1000;

export class WebhookNotifier {
  private readonly instance = randomUUID();
  private readonly inFlight = new InFlight();
  private stopped = false;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly options: WebhookOptions,
  ) {
    this.attempts = options.attempts ?? 6;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Hears every delivered event; returns at once (the work runs in the background). */
  delivered(deliveries: Delivery[]): void {
    for (const { event } of deliveries) {
      if (event.type !== 'SYNC_PAUSED' || this.stopped) continue;
      const work = this.notify(event).catch((error: Error) =>
        this.logger.error('notify: could not notify about a paused sync', { seq: event.seq, runId: event.runId, message: error.message }),
      );
      void this.inFlight.track(work);
    }
  }

  private async notify(event: StoredEvent): Promise<void> {
    const at = Date.now();
    const claimed = await this.db.write('notify.claim', (tx) =>
      eventWrites.claimNotification(tx, event.seq, this.instance, new Date(at).toISOString(), new Date(at - STALE_CLAIM_MS).toISOString()),
    );
    if (!claimed) return;
    const text = await this.pausedSyncText(event);
    let lastError = '';
    for (let attempt = 1; attempt <= this.attempts; attempt += 1) {
      try {
        const response = await fetch(this.options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text }),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) {
          await this.db.write('notify.sent', (tx) => eventWrites.recordNotification(tx, event.seq, 'SENT', attempt, null, now()));
          this.logger.info('notify: paused sync sent', { seq: event.seq, runId: event.runId, attempt });
          return;
        }
        lastError = `HTTP ${response.status}`;
      } catch (error) {
        lastError = (error as Error).message;
      }
      this.logger.warn('notify: webhook attempt failed', { seq: event.seq, attempt, error: lastError });
      if (attempt < this.attempts && !this.stopped) await this.backoff(attempt);
      if (this.stopped) break;
    }
    this.logger.error('notify: webhook gave up', { seq: event.seq, runId: event.runId, error: lastError });
    await this.db.write('notify.failed', (tx) => eventWrites.recordNotification(tx, event.seq, 'FAILED', this.attempts, lastError.slice(0, 500), now()));
  }

  private backoff(attempt: number): Promise<void> {
    const delay = Math.min(60_000, this.baseDelayMs * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
    return new Promise((resolve) => setTimeout(resolve, delay).unref());
  }

  private async pausedSyncText(event: StoredEvent): Promise<string> {
    const payload = event.payload ?? {};
    const named = typeof payload.profileName === 'string' ? payload.profileName : null;
    const profile =
      named === null && event.profileId ? (await this.db.read('notify.profileOfEvent', (tx) => directoryReads.profilesById(tx, [event.profileId!])))[0] : undefined;
    const name = named ?? profile?.name ?? event.profileId ?? 'unknown profile';
    const staged = stagedRemovalsOf(event);
    const members = typeof payload.memberCount === 'number' ? payload.memberCount : null;
    const runId = event.runId ? encodeGlobalId('SyncRun', event.runId) : null;
    const base = this.options.publicUrl.replace(/\/$/, '');
    const review = runId
      ? `${base}/graphql?query=${encodeURIComponent(
          `{ node(id: "${runId}") { ... on SyncRun { id state pauseReason profile { name } staged { memberCount unenrollments { displayName email externalId accessToLose { name app { name } } } } } } }`,
        )}`
      : null;
    const removals = staged === null ? 'staged removals' : `${staged} staged removal${staged === 1 ? '' : 's'}`;
    const share = staged !== null && members !== null && members > 0 ? `${staged} of ${members} members (${percentOf(payload.unenrollPercent, staged, members)}%)` : null;
    const users = namedUsers(payload.firstStaged);
    const more = staged !== null && users.length > 0 && staged > users.length ? ` and ${staged - users.length} more` : '';
    const who = users.length > 0 ? `${users.join(', ')}${more}` : null;
    const would = share && who ? `It would unenroll ${share}: ${who}.` : share ? `It would unenroll ${share}.` : who ? `It would unenroll ${who}.` : null;
    return [
      `:warning: Membership sync of access profile "${escapeText(name)}" was paused by the safeguard: ${removals} await review.`,
      would,
      runId ? `Sync run: ${runId}` : null,
      review ? `Review it, then resumeSync or discardSync: ${review}` : null,
    ]
      .filter(Boolean)
      .join('\n');
  }

  /** True while a notification is being claimed, sent, retried or recorded. */
  get busy(): boolean {
    return this.inFlight.busy;
  }

  /** Resolves once no notification is under way (its retries included). */
  idle(): Promise<void> {
    return this.inFlight.idle();
  }

  /** Waits for notifications under way (bounded), then stops retrying. */
  async stop(): Promise<void> {
    const pending = this.inFlight.idle();
    await Promise.race([pending, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    this.stopped = true;
  }
}

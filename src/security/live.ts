/**
 * Long-lived connections (graphql-ws sockets and SSE subscription streams) and the credential
 * they were opened with. The viewer is resolved at `connection_init` or at the start of the
 * stream; this keeps it current afterwards (docs/security.md, "Open connections"):
 *
 * - Changes made through the API append an internal event (TOKEN_REVOKED, USER_ROLE_CHANGED,
 *   USER_DISABLED, src/events/domain.ts). Every instance reads the event log (its own commits at
 *   once, others' through Redis or the EVENTS_POLL_MS poll) and hands each batch here before any
 *   subscriber sees it: a revoked token's or a disabled user's connections close (WebSocket:
 *   4401; SSE: a last UNAUTHENTICATED result, then the end of the stream), a new role applies to
 *   the events after it and to the next operation.
 * - Every CONNECTION_RECHECK_MS all open connections re-read their token and user in one read (a
 *   change that bypassed the API, an event this instance could not read), and an operation on a
 *   connection whose viewer is older than that re-reads it first.
 * - The per-user cap (WS_MAX_CONNECTIONS_PER_USER) counts both transports together.
 */
import type { AuthService } from '../auth/tokens.js';
import type { Viewer } from '../auth/viewer.js';
import { AppError } from '../errors.js';
import { CREDENTIAL_EVENT_TYPES } from '../events/domain.js';
import type { Delivery } from '../events/records.js';
import type { Logger } from '../logger.js';
import { connectionKey, type WsConnectionLimiter } from './ws.js';

const CREDENTIAL_TYPES: ReadonlySet<string> = new Set(CREDENTIAL_EVENT_TYPES);

/** graphql-ws close code for a credential that no longer authenticates (its clients do not retry it). */
export const CLOSE_UNAUTHORIZED = 4401;

export type Transport = 'ws' | 'sse';

/** What a connection's subscriptions must offer to be ended with a last error (EventSubscription). */
export interface Endable {
  end(error: Error): void;
  /** True once the subscription has ended (completed by the client, or by the server). */
  readonly ended: boolean;
}

export class LiveConnection {
  /** The viewer as last known; null once the credential no longer holds. */
  viewer: Viewer | null;
  /** When the viewer was last read from the graph (ms). */
  checkedAt = Date.now();
  /** Bumped by every credential event: a read started before one must not undo it. */
  generation = 0;
  closed = false;
  private readonly subscriptions = new Set<Endable>();

  constructor(
    readonly transport: Transport,
    viewer: Viewer,
    readonly key: string,
    private readonly closeTransport: (reason: string) => void,
  ) {
    this.viewer = viewer;
  }

  get tokenId(): string | null {
    return this.viewer?.tokenId ?? null;
  }

  /** A subscription opened on this connection; ended with the connection. */
  track(subscription: Endable): void {
    if (this.closed) {
      subscription.end(new AppError('UNAUTHENTICATED', 'This connection was closed'));
      return;
    }
    // A socket may subscribe and complete many times: keep only the subscriptions still open.
    for (const earlier of this.subscriptions) if (earlier.ended) this.subscriptions.delete(earlier);
    this.subscriptions.add(subscription);
  }

  /** The credential no longer holds: no more events or operations, then the transport closes. */
  revoke(reason: string): void {
    this.viewer = null;
    if (this.closed) return;
    this.closed = true;
    const error = new AppError('UNAUTHENTICATED', reason);
    for (const subscription of this.subscriptions) subscription.end(error);
    this.subscriptions.clear();
    this.closeTransport(reason);
  }
}

interface Options {
  auth: Pick<AuthService, 'currentViewers'>;
  /** Shared with the WebSocket guard: one count across both transports. */
  limiter: WsConnectionLimiter;
  logger: Logger;
  recheckMs: number;
}

export class LiveConnections {
  private readonly open = new Set<LiveConnection>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: Options) {}

  get size(): number {
    return this.open.size;
  }

  /** Counts the connection under its user's cap; null when the user already has the maximum open on this instance. */
  admit(transport: Transport, viewer: Viewer, close: (reason: string) => void): LiveConnection | null {
    const key = connectionKey(viewer);
    if (!this.options.limiter.acquire(key)) return null;
    const connection = new LiveConnection(transport, viewer, key, close);
    this.open.add(connection);
    this.startTimer();
    return connection;
  }

  /** The connection ended (safe to call twice). */
  release(connection: LiveConnection): void {
    if (!this.open.delete(connection)) return;
    connection.closed = true;
    this.options.limiter.release(connection.key);
    if (this.open.size === 0) this.stopTimer();
  }

  /**
   * The viewer an operation on the connection runs as: read again first when older than
   * CONNECTION_RECHECK_MS; null (and the connection closed) when the credential no longer holds.
   */
  async current(connection: LiveConnection): Promise<Viewer | null> {
    if (connection.viewer !== null && connection.tokenId !== null && Date.now() - connection.checkedAt >= this.options.recheckMs) {
      await this.recheck([connection]);
    }
    return connection.closed ? null : connection.viewer;
  }

  /** Credential events of a delivered batch, before subscribers see it (EventStream.beforeSubscribers). */
  credentialChanged(deliveries: readonly Delivery[]): void {
    const changes = deliveries.filter(({ event }) => event.userId !== null && CREDENTIAL_TYPES.has(event.type));
    if (changes.length === 0 || this.open.size === 0) return;
    const byUser = new Map<string, LiveConnection[]>();
    for (const connection of this.open) {
      const userId = connection.viewer?.userId;
      if (userId) byUser.set(userId, [...(byUser.get(userId) ?? []), connection]);
    }
    for (const { event } of changes) {
      for (const connection of byUser.get(event.userId!) ?? []) {
        const viewer = connection.viewer;
        if (viewer === null) continue;
        connection.generation += 1;
        if (event.type === 'TOKEN_REVOKED') {
          if (event.payload?.tokenId === viewer.tokenId) connection.revoke('The token was revoked');
        } else if (event.type === 'USER_DISABLED') {
          connection.revoke('The user was disabled');
        } else {
          const role = event.payload?.role;
          if (role === 'ADMIN' || role === 'AUDITOR' || role === 'USER') connection.viewer = { ...viewer, role };
        }
      }
    }
  }

  /** Reads the connections' tokens and users again, in one read, and applies what changed. */
  async recheck(connections: Iterable<LiveConnection> = this.open): Promise<void> {
    const targets = [...connections].filter((c) => !c.closed && c.tokenId !== null);
    if (targets.length === 0) return;
    const generations = new Map(targets.map((c) => [c, c.generation]));
    const startedAt = Date.now();
    const viewers = await this.options.auth.currentViewers(targets.map((c) => c.tokenId!));
    for (const connection of targets) {
      // A credential event arrived while reading: it is newer than what was read.
      if (connection.closed || generations.get(connection) !== connection.generation) continue;
      const viewer = viewers.get(connection.tokenId!) ?? null;
      if (viewer === null) connection.revoke('The token or its user is no longer valid');
      else {
        connection.viewer = viewer;
        connection.checkedAt = startedAt;
      }
    }
  }

  stop(): void {
    this.stopTimer();
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.recheck().catch((error: Error) => this.options.logger.warn('connections: recheck failed, the next one retries', { message: error.message }));
    }, this.options.recheckMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

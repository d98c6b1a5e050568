/**
 * The viewers of recently seen bearer tokens, so that a burst of requests with one token reads
 * it from Neo4j once (docs/security.md, "Tokens on HTTP"). An entry lives AUTH_CACHE_MS at most
 * and ends at once with the credential events that concern it: the ones this instance commits
 * (Database.onCommitted, before the write that changed the credential answers) and the ones other
 * instances commit (read from the event log, before any subscriber sees them). Only tokens that
 * authenticated are kept: an unknown or refused token is read again every time.
 */
import type { Viewer } from './viewer.js';

/** What a credential event says (a DomainEvent before it is stored, a StoredEvent after). */
export interface CredentialChange {
  type: string;
  userId?: string | null;
  payload?: unknown;
}

/** Tokens kept at most: beyond it the oldest entry goes first. */
const MAX_ENTRIES = 10_000;

export class ViewerCache {
  private readonly entries = new Map<string, { viewer: Viewer; until: number }>();
  /** Bumped by every credential change: a read that began before one is not kept. */
  private generation = 0;

  constructor(private readonly ttlMs: number) {}

  /** The viewer of a token hash, while fresh. */
  get(hash: string): Viewer | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.viewer;
    this.entries.delete(hash);
    return undefined;
  }

  /** Call before reading a token: what `keep` compares against. */
  mark(): number {
    return this.generation;
  }

  /** Keeps a viewer read since `mark`, unless a credential changed meanwhile. */
  keep(hash: string, viewer: Viewer, mark: number): void {
    if (this.ttlMs === 0 || mark !== this.generation) return;
    this.entries.delete(hash);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { viewer, until: Date.now() + this.ttlMs });
  }

  /** Credential events: a revoked token, or every token of a disabled or re-roled user, is read again. */
  changed(events: readonly CredentialChange[]): void {
    const tokens = new Set<string>();
    const users = new Set<string>();
    for (const event of events) {
      if (event.type === 'TOKEN_REVOKED') {
        const tokenId = (event.payload as { tokenId?: unknown } | null | undefined)?.tokenId;
        if (typeof tokenId === 'string') tokens.add(tokenId);
        // Without the token's id, all of its user's tokens are read again.
        else if (event.userId) users.add(event.userId);
      } else if ((event.type === 'USER_DISABLED' || event.type === 'USER_ROLE_CHANGED') && event.userId) {
        users.add(event.userId);
      }
    }
    if (tokens.size === 0 && users.size === 0) return;
    this.generation += 1;
    for (const [hash, { viewer }] of this.entries) {
      if ((viewer.tokenId !== null && tokens.has(viewer.tokenId)) || (viewer.userId !== null && users.has(viewer.userId))) {
        this.entries.delete(hash);
      }
    }
  }
}

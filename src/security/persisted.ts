/**
 * Persisted-operations mode (off unless PERSISTED_OPERATIONS_FILE is set). The file is a JSON
 * object mapping the SHA-256 (hex) of each operation's text to that text. Clients may send the
 * hash alone (`extensions.persistedQuery.sha256Hash`, HTTP) or the full text (HTTP and
 * WebSocket); restricted tokens may run only operations whose document is one of the registered
 * ones (compared after parsing and printing, so whitespace and comments do not matter).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse, print, type DocumentNode } from 'graphql';
import { isAdmin, type Viewer } from '../auth/viewer.js';
import type { SecurityConfig } from '../config.js';

export class PersistedOperations {
  private readonly byHash = new Map<string, string>();
  private readonly printed = new Set<string>();

  constructor(operations: Record<string, string>) {
    for (const [hash, text] of Object.entries(operations)) {
      const actual = createHash('sha256').update(text).digest('hex');
      if (actual !== hash.toLowerCase()) throw new Error(`persisted operation ${hash} does not match the SHA-256 of its text (${actual})`);
      this.byHash.set(actual, text);
      this.printed.add(print(parse(text)));
    }
  }

  static fromFile(path: string): PersistedOperations {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !Object.values(raw).every((v) => typeof v === 'string')) {
      throw new Error(`${path} must be a JSON object of SHA-256 hashes to operation texts`);
    }
    return new PersistedOperations(raw as Record<string, string>);
  }

  get size(): number {
    return this.byHash.size;
  }

  textOf(hash: string): string | null {
    return this.byHash.get(hash.toLowerCase()) ?? null;
  }

  allows(document: DocumentNode): boolean {
    return this.printed.has(print(document));
  }
}

/** Who is held to registered operations: partner tokens (ingest scope, not admin), or everyone but admins. */
export function isRestricted(viewer: Viewer | null, mode: SecurityConfig['persistedOperationsFor']): boolean {
  if (isAdmin(viewer)) return false;
  if (mode === 'non-admin') return true;
  return viewer !== null && viewer.scopes.has('ingest');
}

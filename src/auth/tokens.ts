import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { recordAudit } from '../audit/trail.js';
import type { Database } from '../db/database.js';
import { badInput, notFound } from '../errors.js';
import { credentialEvent } from '../events/domain.js';
import { noSuch } from '../ids.js';
import { ViewerCache, type CredentialChange } from './viewer-cache.js';
import { bootstrapAdmin, isScope, type Role, type Scope, type Viewer } from './viewer.js';

export interface ApiTokenRecord {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
  userId: string;
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

function safeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return left.equals(right);
}

/** The viewer a live token's row (auth/find-token, auth/token-states) acts as. */
const viewerOf = (row: { tokenId: string; scopes: string[]; userId: string; role: Role }): Viewer => ({
  userId: row.userId,
  role: row.role,
  scopes: new Set(row.scopes.filter(isScope)),
  tokenId: row.tokenId,
});

export class AuthService {
  private readonly cache: ViewerCache;

  constructor(
    private readonly db: Database,
    private readonly adminToken: string | null,
    cacheMs = 0,
  ) {
    this.cache = new ViewerCache(cacheMs);
  }

  /** Credential events, this instance's at commit and others' from the log: the cached viewers they concern end. */
  credentialChanged(events: readonly CredentialChange[]): void {
    this.cache.changed(events);
  }

  /** Resolves an Authorization header value; null when absent or not recognised. */
  async authenticate(header: string | null | undefined): Promise<Viewer | null> {
    if (!header) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) return null;
    const token = match[1]!;
    if (this.adminToken !== null && safeEqual(token, this.adminToken)) return bootstrapAdmin;
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached) return cached;
    const mark = this.cache.mark();
    const [row] = await this.db.readOne<{ tokenId: string; scopes: string[]; userId: string; role: Role; status: string }>('auth.authenticate', 'auth/find-token', { hash });
    if (!row || row.status === 'DISABLED') return null;
    const viewer = viewerOf(row);
    this.cache.keep(hash, viewer, mark);
    return viewer;
  }

  /**
   * What open connections hold, read again (src/security/live.ts): each token's viewer as it is
   * now, or null when the token is revoked or gone or its user disabled. One read for the set.
   */
  async currentViewers(tokenIds: readonly string[]): Promise<Map<string, Viewer | null>> {
    const found = new Map<string, Viewer | null>(tokenIds.map((id) => [id, null]));
    if (tokenIds.length === 0) return found;
    const rows = await this.db.read('auth.currentViewers', (tx) =>
      tx.run<{ tokenId: string; scopes: string[]; userId: string; role: Role; status: string | null }>('auth/token-states', { tokenIds: [...new Set(tokenIds)] }),
    );
    for (const row of rows) {
      if (row.status === 'DISABLED') continue;
      found.set(row.tokenId, viewerOf(row));
    }
    return found;
  }

  /** The secret is returned once; only its hash is stored. */
  async createToken(userId: string, name: string, scopes: string[], actor: Viewer | null = null): Promise<{ token: string; apiToken: ApiTokenRecord }> {
    const unknown = scopes.filter((s) => !isScope(s));
    if (unknown.length > 0) throw badInput(`Unknown scopes: ${unknown.join(', ')}`, { scopes: unknown });
    if (scopes.length === 0) throw badInput('A token needs at least one scope');
    if (name.trim() === '' || name.length > 200) throw badInput('A token name must be 1 to 200 characters');
    const token = `age_${randomBytes(32).toString('base64url')}`;
    const row = await this.db.write('auth.createToken', async (tx) => {
      const created = await tx.one<{ token: ApiTokenRecord }>('auth/create-token', {
        userId,
        id: randomUUID(),
        name,
        hash: hashToken(token),
        scopes: [...new Set(scopes as Scope[])],
        now: new Date().toISOString(),
      });
      // Never the secret nor its hash: what the token is and whom it acts as.
      if (created) recordAudit(tx, actor, { action: 'TOKEN_CREATED', subjectType: 'ApiToken', subjectId: created.token.id, after: { name, userId, scopes: created.token.scopes } });
      return created;
    });
    if (!row) throw noSuch('User', userId);
    return { token, apiToken: row.token };
  }

  async revokeToken(id: string, actor: Viewer | null = null): Promise<ApiTokenRecord> {
    const row = await this.db.write('auth.revokeToken', async (tx) => {
      const at = new Date().toISOString();
      const revoked = await tx.one<{ token: ApiTokenRecord }>('auth/revoke-token', { id, now: at });
      // The first revocation wins: revoking a revoked token changes nothing and records nothing.
      if (revoked && revoked.token.revokedAt === at) {
        recordAudit(tx, actor, {
          action: 'TOKEN_REVOKED',
          subjectType: 'ApiToken',
          subjectId: id,
          before: { name: revoked.token.name, userId: revoked.token.userId, revokedAt: null },
          after: { name: revoked.token.name, userId: revoked.token.userId, revokedAt: at },
        });
        // Open connections with this token close, on every instance (src/security/live.ts).
        tx.unit.recordEvents([credentialEvent('TOKEN_REVOKED', revoked.token.userId, { tokenId: id })]);
      }
      return revoked;
    });
    if (!row) throw notFound('No such token');
    return row.token;
  }

  async setUserRole(userId: string, role: Role, actor: Viewer | null = null): Promise<void> {
    const row = await this.db.write('auth.setUserRole', async (tx) => {
      const before = await tx.one<{ user: { role: Role } }>('directory/users-by-id', { ids: [userId] });
      const set = await tx.one('auth/set-user-role', { userId, role, now: new Date().toISOString() });
      if (set && before && before.user.role !== role) {
        recordAudit(tx, actor, { action: 'ROLE_CHANGED', subjectType: 'User', subjectId: userId, before: { role: before.user.role }, after: { role } });
        // Open connections of this user see with the new role from their next event or operation.
        tx.unit.recordEvents([credentialEvent('USER_ROLE_CHANGED', userId, { role, previousRole: before.user.role })]);
      }
      return set;
    });
    if (!row) throw noSuch('User', userId);
  }
}

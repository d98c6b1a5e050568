import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../db/database.js';
import { badInput, notFound } from '../errors.js';
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

export class AuthService {
  constructor(
    private readonly db: Database,
    private readonly adminToken: string | null,
  ) {}

  /** Resolves an Authorization header value; null when absent or not recognised. */
  async authenticate(header: string | null | undefined): Promise<Viewer | null> {
    if (!header) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) return null;
    const token = match[1]!;
    if (this.adminToken !== null && safeEqual(token, this.adminToken)) return bootstrapAdmin;
    const row = await this.db.read((tx) =>
      tx.one<{ tokenId: string; scopes: string[]; userId: string; role: Role; status: string }>('auth/find-token', {
        hash: hashToken(token),
      }),
    );
    if (!row || row.status === 'DISABLED') return null;
    return { userId: row.userId, role: row.role, scopes: new Set(row.scopes.filter(isScope)), tokenId: row.tokenId };
  }

  /** The secret is returned once; only its hash is stored. */
  async createToken(userId: string, name: string, scopes: string[]): Promise<{ token: string; apiToken: ApiTokenRecord }> {
    const unknown = scopes.filter((s) => !isScope(s));
    if (unknown.length > 0) throw badInput(`Unknown scopes: ${unknown.join(', ')}`, { scopes: unknown });
    if (scopes.length === 0) throw badInput('A token needs at least one scope');
    if (name.trim() === '' || name.length > 200) throw badInput('A token name must be 1 to 200 characters');
    const token = `age_${randomBytes(32).toString('base64url')}`;
    const row = await this.db.write((tx) =>
      tx.one<{ token: ApiTokenRecord }>('auth/create-token', {
        userId,
        id: randomUUID(),
        name,
        hash: hashToken(token),
        scopes: [...new Set(scopes as Scope[])],
        now: new Date().toISOString(),
      }),
    );
    if (!row) throw notFound('No such user');
    return { token, apiToken: row.token };
  }

  async revokeToken(id: string): Promise<ApiTokenRecord> {
    const row = await this.db.write((tx) => tx.one<{ token: ApiTokenRecord }>('auth/revoke-token', { id, now: new Date().toISOString() }));
    if (!row) throw notFound('No such token');
    return row.token;
  }

  async setUserRole(userId: string, role: Role): Promise<void> {
    const row = await this.db.write((tx) => tx.one('auth/set-user-role', { userId, role, now: new Date().toISOString() }));
    if (!row) throw notFound('No such user');
  }
}

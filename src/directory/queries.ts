/** The directory's list and lookup reads, each in its own read transaction (the schema calls these). */
import type { Database, Tx } from '../db/database.js';
import { directoryReads } from './repository.js';

export class DirectoryQueries {
  constructor(private readonly db: Database) {}

  /** `withTotal`: count the whole list too (only when the client selects totalCount). */
  users(after: string | null, limit: number, search: string | null, withTotal = true) {
    return this.db.read('directory.users', (tx) => directoryReads.listUsers(tx, after, limit, search, withTotal));
  }

  countUsers(search: string | null) {
    return this.db.read('directory.countUsers', async (tx) => (await tx.one<{ total: number }>('directory/count-users', { search }))?.total ?? 0);
  }

  userByExternalId(externalId: string) {
    return this.one(directoryReads.usersByExternalId, externalId);
  }

  apps(after: string | null, limit: number, withTotal = true) {
    return this.db.read('directory.apps', (tx) => directoryReads.listApps(tx, after, limit, withTotal));
  }

  appByExternalId(externalId: string) {
    return this.one(directoryReads.appsByExternalId, externalId);
  }

  entitlements(after: string | null, limit: number, search: string | null, withTotal = true) {
    return this.db.read('directory.entitlements', (tx) => directoryReads.listEntitlements(tx, after, limit, search, withTotal));
  }

  entitlementByExternalId(externalId: string) {
    return this.one(directoryReads.entitlementsByExternalId, externalId);
  }

  profileIds(after: string | null, limit: number, withTotal = true) {
    return this.db.read('directory.profileIds', (tx) => directoryReads.listProfileIds(tx, after, limit, withTotal));
  }

  policies() {
    return this.db.read('directory.policies', (tx) => directoryReads.listPolicies(tx));
  }

  /** The one record a lookup by external id finds, or null. */
  private async one<T>(lookup: (tx: Tx, externalIds: readonly string[]) => Promise<T[]>, externalId: string): Promise<T | null> {
    return (await this.db.read('directory.byExternalId', (tx) => lookup(tx, [externalId])))[0] ?? null;
  }
}

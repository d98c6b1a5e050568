/** The directory's list and lookup reads, each in its own read transaction (the schema calls these). */
import type { Database } from '../db/database.js';
import { directoryReads } from './repository.js';

export class DirectoryQueries {
  constructor(private readonly db: Database) {}

  users(after: string | null, limit: number, search: string | null) {
    return this.db.read((tx) => directoryReads.listUsers(tx, after, limit, search));
  }

  async userByExternalId(externalId: string) {
    return (await this.db.read((tx) => directoryReads.usersByExternalId(tx, [externalId])))[0] ?? null;
  }

  apps(after: string | null, limit: number) {
    return this.db.read((tx) => directoryReads.listApps(tx, after, limit));
  }

  async appByExternalId(externalId: string) {
    return (await this.db.read((tx) => directoryReads.appsByExternalId(tx, [externalId])))[0] ?? null;
  }

  entitlements(after: string | null, limit: number, search: string | null) {
    return this.db.read((tx) => directoryReads.listEntitlements(tx, after, limit, search));
  }

  async entitlementByExternalId(externalId: string) {
    return (await this.db.read((tx) => directoryReads.entitlementsByExternalId(tx, [externalId])))[0] ?? null;
  }

  profileIds(after: string | null, limit: number) {
    return this.db.read((tx) => directoryReads.listProfileIds(tx, after, limit));
  }

  policies() {
    return this.db.read((tx) => directoryReads.listPolicies(tx));
  }
}

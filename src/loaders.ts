/**
 * Per-request DataLoaders: every nested read of a query is batched into one statement per kind
 * (and per page arguments), whatever the number of parents.
 */
import DataLoader from 'dataloader';
import type { Database, Tx } from './db/database.js';
import { directoryReads, idListsByParent, idPagesByParent } from './directory/repository.js';
import type { IdPage } from './directory/records.js';
import type { TaskRecord } from './tasks/records.js';

type ById<T extends { id: string }> = (tx: Tx, ids: readonly string[]) => Promise<T[]>;

function byId<T extends { id: string }>(db: Database, read: ById<T>): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const records = await db.read((tx) => read(tx, ids));
    const found = new Map(records.map((r) => [r.id, r]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

function idLists(db: Database, statement: string, parentParam: string): DataLoader<string, string[]> {
  return new DataLoader(async (parentIds) => {
    const lists = await db.read((tx) => idListsByParent(tx, statement, parentParam, parentIds));
    return parentIds.map((id) => lists.get(id) ?? []);
  });
}

export interface PageKey {
  parentId: string;
  after: string | null;
  limit: number;
}

/** Pages for many parents: parents asking for the same page share one statement. */
function idPages(db: Database, statement: string, parentParam: string): DataLoader<PageKey, IdPage> {
  return new DataLoader(
    async (keys) => {
      const groups = new Map<string, PageKey[]>();
      for (const key of keys) {
        const group = `${key.after ?? ''}|${key.limit}`;
        groups.set(group, [...(groups.get(group) ?? []), key]);
      }
      const results = new Map<string, IdPage>();
      await Promise.all(
        [...groups.values()].map(async (group) => {
          const { after, limit } = group[0]!;
          const pages = await db.read((tx) => idPagesByParent(tx, statement, parentParam, group.map((k) => k.parentId), after, limit));
          for (const [parentId, page] of pages) results.set(`${parentId}|${after ?? ''}|${limit}`, page);
        }),
      );
      return keys.map((k) => results.get(`${k.parentId}|${k.after ?? ''}|${k.limit}`) ?? { ids: [], total: 0 });
    },
    { cacheKeyFn: (k) => `${k.parentId}|${k.after ?? ''}|${k.limit}` },
  );
}

export function createLoaders(db: Database) {
  return {
    user: byId(db, directoryReads.usersById),
    app: byId(db, directoryReads.appsById),
    entitlement: byId(db, directoryReads.entitlementsById),
    grant: byId(db, directoryReads.grantsById),
    policy: byId(db, directoryReads.policiesById),
    profile: byId(db, directoryReads.profilesById),
    task: byId<TaskRecord>(db, async (tx, ids) => (await tx.run<{ task: TaskRecord }>('tasks/tasks-by-id', { ids })).map((r) => r.task)),
    membershipsOfUser: idLists(db, 'directory/memberships-of-users', 'userIds'),
    profilesIncludingEntitlement: idLists(db, 'directory/profiles-including-entitlements', 'entitlementIds'),
    justifyingProfilesOfGrant: idLists(db, 'directory/justifying-profiles-of-grants', 'grantIds'),
    itemsOfProfile: idLists(db, 'profiles/items-of-profiles', 'profileIds'),
    conditionOfProfile: idLists(db, 'profiles/condition-of-profiles', 'profileIds'),
    excludedOfProfile: idLists(db, 'profiles/excluded-of-profiles', 'profileIds'),
    grantsOfUser: idPages(db, 'directory/grants-of-users', 'userIds'),
    holdersOfEntitlement: idPages(db, 'directory/holders-of-entitlements', 'entitlementIds'),
    entitlementsOfApp: idPages(db, 'directory/entitlements-of-apps', 'appIds'),
    membersOfProfile: idPages(db, 'profiles/members-of-profiles', 'profileIds'),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/** Loads many by id, keeping order and dropping the ones that vanished. */
export async function loadAll<T>(loader: DataLoader<string, T | null>, ids: readonly string[]): Promise<T[]> {
  const loaded = await loader.loadMany(ids);
  return loaded.filter((x): x is T => x !== null && !(x instanceof Error));
}

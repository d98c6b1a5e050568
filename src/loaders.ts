/**
 * Per-request DataLoaders: every nested read of a query is batched into one statement per kind
 * (and per page arguments), whatever the number of parents.
 */
import DataLoader from 'dataloader';
import type { Database, Tx } from './db/database.js';
import { pageLoaders } from './directory/pages.js';
import { directoryReads, idListsByParent, idPagesByParent } from './directory/repository.js';
import type { IdPage } from './directory/records.js';
import { syncReads } from './sync/repository.js';
import { taskReads } from './workflow/repository.js';

/** One reviewer's decision on one step of a task. */
export interface ApprovalRow {
  approved: boolean;
  comment: string | null;
  at: string;
  step: number;
  /** Null for a decision of the bootstrap admin credential (byAdminToken). */
  approverId: string | null;
  byAdminToken: boolean;
}

/** Loads one value per key with one statement for all the keys of a request. */
function byKey<V>(db: Database, name: string, read: (tx: Tx, keys: readonly string[]) => Promise<Map<string, V>>, missing: V): DataLoader<string, V> {
  return new DataLoader(async (keys) => {
    const found = await db.read(`loaders.${name}`, (tx) => read(tx, keys));
    return keys.map((key) => found.get(key) ?? missing);
  });
}

type ById<T extends { id: string }> = (tx: Tx, ids: readonly string[]) => Promise<T[]>;

/**
 * A DataLoader by string key that also answers synchronously for what it already holds
 * (docs/decisions.md, "Reads: what is loaded already resolves synchronously"): a page that
 * brought 500 grants' entitlements along resolves their fields without a promise per field.
 */
export class KnownLoader<V> extends DataLoader<string, V> {
  private readonly known = new Map<string, V>();

  constructor(load: (keys: readonly string[]) => Promise<V[]>) {
    super(async (keys) => {
      const values = await load(keys);
      keys.forEach((key, i) => this.known.set(key, values[i]!));
      return values;
    });
  }

  override prime(key: string, value: V | PromiseLike<V> | Error): this {
    const plain = !(value instanceof Error) && !(value !== null && typeof value === 'object' && 'then' in value);
    if (plain && !this.known.has(key)) this.known.set(key, value as V);
    return super.prime(key, value);
  }

  override clear(key: string): this {
    this.known.delete(key);
    return super.clear(key);
  }

  override clearAll(): this {
    this.known.clear();
    return super.clearAll();
  }

  /** The value if it is loaded or primed already, else a promise of it. */
  get(key: string): V | Promise<V> {
    return this.known.has(key) ? this.known.get(key)! : this.load(key);
  }
}

/** Many by id, keeping order and dropping the ones that do not exist: synchronously when all are known. */
export function getAll<T>(loader: KnownLoader<T | null>, ids: readonly string[]): T[] | Promise<T[]> {
  const values = ids.map((id) => loader.get(id));
  const present = (xs: (T | null)[]) => xs.filter((x): x is T => x !== null);
  return values.some((v) => v instanceof Promise) ? Promise.all(values).then(present) : present(values as (T | null)[]);
}

function byId<T extends { id: string }>(db: Database, name: string, read: ById<T>): KnownLoader<T | null> {
  return new KnownLoader<T | null>(async (ids) => {
    const records = await db.read(`loaders.${name}`, (tx) => read(tx, ids));
    const found = new Map(records.map((r) => [r.id, r]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

function idLists(db: Database, statement: string, parentParam: string): KnownLoader<string[]> {
  return new KnownLoader(async (parentIds) => {
    const lists = await db.read(`loaders.${statement}`, (tx) => idListsByParent(tx, statement, parentParam, parentIds));
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
          const pages = await db.read(`loaders.${statement}`, (tx) => idPagesByParent(tx, statement, parentParam, group.map((k) => k.parentId), after, limit));
          for (const [parentId, page] of pages) results.set(`${parentId}|${after ?? ''}|${limit}`, page);
        }),
      );
      return keys.map((k) => results.get(`${k.parentId}|${k.after ?? ''}|${k.limit}`) ?? { ids: [], total: 0 });
    },
    { cacheKeyFn: (k) => `${k.parentId}|${k.after ?? ''}|${k.limit}` },
  );
}

/** Users a sync of a profile would unenroll: the key of `unenrollmentLosses`. */
export interface LossesKey {
  profileId: string;
  userIds: readonly string[];
}

/**
 * What each of a profile's leaving users would lose (entitlement ids by user id), for many
 * profiles and runs in one statement (cypher/sync/unenrollment-losses-of-users).
 */
function unenrollmentLosses(db: Database): DataLoader<LossesKey, Map<string, string[]>> {
  return new DataLoader(
    async (keys) => {
      const rows = keys.filter((k) => k.userIds.length > 0).map((k) => ({ profileId: k.profileId, userIds: [...k.userIds] }));
      const found =
        rows.length === 0
          ? []
          : await db.read('loaders.unenrollmentLosses', (tx) => tx.run<{ profileId: string; userId: string; entitlementIds: string[] }>('sync/unenrollment-losses-of-users', { rows }));
      const byPair = new Map(found.map((r) => [`${r.profileId}|${r.userId}`, r.entitlementIds]));
      return keys.map((k) => new Map(k.userIds.map((userId) => [userId, byPair.get(`${k.profileId}|${userId}`) ?? []])));
    },
    { cacheKeyFn: (k) => `${k.profileId}|${k.userIds.join(',')}` },
  );
}

export function createLoaders(db: Database) {
  return {
    ...pageLoaders(db),
    user: byId(db, 'user', directoryReads.usersById),
    app: byId(db, 'app', directoryReads.appsById),
    entitlement: byId(db, 'entitlement', directoryReads.entitlementsById),
    grant: byId(db, 'grant', directoryReads.grantsById),
    policy: byId(db, 'policy', directoryReads.policiesById),
    profile: byId(db, 'profile', directoryReads.profilesById),
    task: byId(db, 'task', taskReads.byIds),
    membershipsOfUser: idLists(db, 'directory/memberships-of-users', 'userIds'),
    profilesIncludingEntitlement: idLists(db, 'directory/profiles-including-entitlements', 'entitlementIds'),
    justifyingProfilesOfGrant: idLists(db, 'directory/justifying-profiles-of-grants', 'grantIds'),
    itemsOfProfile: idLists(db, 'profiles/items-of-profiles', 'profileIds'),
    conditionOfProfile: idLists(db, 'profiles/condition-of-profiles', 'profileIds'),
    excludedOfProfile: idLists(db, 'profiles/excluded-of-profiles', 'profileIds'),
    entitlementsOfApp: idPages(db, 'directory/entitlements-of-apps', 'appIds'),
    syncRun: byId(db, 'syncRun', syncReads.runsByIds),
    stagedOfRun: byKey(
      db,
      'stagedOfRun',
      async (tx, runIds) =>
        new Map(
          (await tx.run<{ runId: string; toEnroll: string[]; toUnenroll: string[] }>('sync/staged-of-runs', { runIds })).map((r) => [r.runId, { toEnroll: r.toEnroll, toUnenroll: r.toUnenroll }]),
        ),
      { toEnroll: [] as string[], toUnenroll: [] as string[] },
    ),
    unenrollmentLosses: unenrollmentLosses(db),
    pausedRunsOfProfile: idLists(db, 'sync/paused-runs-of-profiles', 'profileIds'),
    runsOfProfile: idPages(db, 'sync/runs-of-profiles', 'profileIds'),
    pendingEnrollmentUsers: idPages(db, 'sync/pending-enrollment-users', 'profileIds'),
    pendingEnrollmentTasks: idPages(db, 'sync/pending-enrollment-tasks', 'profileIds'),
    childrenOfTask: idLists(db, 'workflow/children-of-tasks', 'taskIds'),
    approvalsOfTask: byKey(
      db,
      'approvalsOfTask',
      async (tx, taskIds) =>
        new Map(
          (await tx.run<{ taskId: string; approvals: (ApprovalRow | null)[] }>('workflow/approvals-of-tasks', { taskIds })).map((r) => [
            r.taskId,
            r.approvals.filter((a): a is ApprovalRow => a !== null),
          ]),
        ),
      [] as ApprovalRow[],
    ),
    deniedEnrollmentsOfProfile: idPages(db, 'profiles/denied-enrollments-of-profiles', 'profileIds'),
    keptByDecisionOfProfile: idPages(db, 'profiles/kept-by-decision-of-profiles', 'profileIds'),
    /** A reviewer's standing membership decision, keyed `profileId|userId`. */
    membershipDecision: byKey(
      db,
      'membershipDecision',
      async (tx, keys) =>
        new Map(
          (
            await tx.run<MembershipDecisionRow>('profiles/membership-decisions', {
              keys: keys.map((key) => ({ profileId: key.split('|')[0]!, userId: key.split('|')[1]! })),
            })
          ).map((r) => [`${r.profileId}|${r.userId}`, r]),
        ),
      null as MembershipDecisionRow | null,
    ),
    adminIds: byKey(db, 'adminIds', async (tx) => new Map([['admins', (await tx.one<{ ids: string[] }>('workflow/admin-ids'))?.ids ?? []]]), [] as string[]),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/** A reviewer's decision that keeps the rule from acting on a user of a profile (workflow/record-membership-decision). */
export interface MembershipDecisionRow {
  profileId: string;
  userId: string;
  kind: 'ENROLLMENT_DENIED' | 'KEPT_BY_DECISION';
  taskId: string;
  at: string;
}

/** Loads many by id, keeping order and dropping the ones that vanished. */
export async function loadAll<T>(loader: DataLoader<string, T | null>, ids: readonly string[]): Promise<T[]> {
  const loaded = await loader.loadMany(ids);
  return loaded.filter((x): x is T => x !== null && !(x instanceof Error));
}

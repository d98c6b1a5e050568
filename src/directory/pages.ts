/**
 * Nested pages that bring their records along (docs/decisions.md, "Reads: a page brings its
 * records"): a user's grants, an entitlement's holders and a profile's members come back as
 * records, not ids, and, when the query selects them, with the records one or two levels further
 * down (a grant's entitlement and its app, the profiles that justify it, a holder's user), all in
 * the page's one statement. Those records are primed into the request's loaders, so the fields
 * that show them resolve exactly as before (same resolvers, same authorization) without another
 * round trip. Parents asking for the same page and the same extras share one statement.
 */
import DataLoader from 'dataloader';
import type { Database } from '../db/database.js';
import type { AppRecord, EntitlementRecord, GrantRecord, ProfileRecord, UserRecord } from './records.js';

/** A nested page asked for: the parent, the page, and which extras (boolean parameters of the statement) to bring. */
export interface RecordPageKey<F extends string = string> {
  parentId: string;
  after: string | null;
  limit: number;
  with?: Partial<Record<F, boolean>>;
}

interface PageRow {
  parentId: string;
  total: number;
}

interface PageSpec<F extends string> {
  statement: string;
  parentParam: string;
  flags: readonly F[];
  /** Parameters of the statement a page by parent ids leaves at rest. */
  rest?: Record<string, unknown>;
}

const flagsOf = <F extends string>(spec: PageSpec<F>, key: RecordPageKey<F>) => Object.fromEntries(spec.flags.map((f) => [f, key.with?.[f] === true])) as Record<F, boolean>;

function recordPages<Row extends PageRow, F extends string>(db: Database, spec: PageSpec<F>): DataLoader<RecordPageKey<F>, Row | null> {
  const { statement, parentParam, flags } = spec;
  const groupOf = (key: RecordPageKey<F>) => `${key.after ?? ''}|${key.limit}|${flags.map((f) => (key.with?.[f] ? 1 : 0)).join('')}`;
  return new DataLoader(
    async (keys) => {
      const groups = new Map<string, RecordPageKey<F>[]>();
      for (const key of keys) groups.set(groupOf(key), [...(groups.get(groupOf(key)) ?? []), key]);
      const found = new Map<string, Row>();
      await Promise.all(
        [...groups].map(async ([group, members]) => {
          const { after, limit } = members[0]!;
          const rows = await db.readOne<Row>(`loaders.${statement}`, statement, {
            [parentParam]: members.map((k) => k.parentId),
            after,
            limit,
            ...flagsOf(spec, members[0]!),
            withParent: false,
            ...spec.rest,
          });
          for (const row of rows) found.set(`${row.parentId}|${group}`, row);
        }),
      );
      return keys.map((key) => found.get(`${key.parentId}|${groupOf(key)}`) ?? null);
    },
    { cacheKeyFn: (key) => `${key.parentId}|${groupOf(key)}` },
  );
}

export interface GrantPageRow extends PageRow {
  grants: GrantRecord[];
  entitlements: EntitlementRecord[];
  apps: AppRecord[];
  justified: { grantId: string; profiles: ProfileRecord[] }[];
}
export interface HolderPageRow extends PageRow {
  grants: GrantRecord[];
  users: UserRecord[];
}
export interface MemberPageRow extends PageRow {
  users: UserRecord[];
}

const PAGES = {
  grantsOfUser: {
    statement: 'directory/grants-of-users',
    parentParam: 'userIds',
    flags: ['withEntitlements', 'withApps', 'withJustifiedBy'],
    rest: { usersAfter: null, usersLimit: 0, search: null },
  } as PageSpec<
    'withEntitlements' | 'withApps' | 'withJustifiedBy'
  >,
  holdersOfEntitlement: { statement: 'directory/holders-of-entitlements', parentParam: 'entitlementIds', flags: ['withUsers'] } as PageSpec<'withUsers'>,
  membersOfProfile: { statement: 'profiles/members-of-profiles', parentParam: 'profileIds', flags: [] } as PageSpec<never>,
};

export function pageLoaders(db: Database) {
  return {
    grantsOfUser: recordPages<GrantPageRow, 'withEntitlements' | 'withApps' | 'withJustifiedBy'>(db, PAGES.grantsOfUser),
    holdersOfEntitlement: recordPages<HolderPageRow, 'withUsers'>(db, PAGES.holdersOfEntitlement),
    membersOfProfile: recordPages<MemberPageRow, never>(db, PAGES.membersOfProfile),
  };
}

/** What each page's row carries and the record of its parent. */
interface PageTypes {
  grantsOfUser: { row: GrantPageRow; parent: UserRecord; flag: 'withEntitlements' | 'withApps' | 'withJustifiedBy' };
  holdersOfEntitlement: { row: HolderPageRow; parent: EntitlementRecord; flag: 'withUsers' };
  membersOfProfile: { row: MemberPageRow; parent: ProfileRecord; flag: never };
}

/**
 * One page and the record of its parent in one statement (the page statement's $withParent), for
 * a lookup that brings along the page a field below it will ask for (src/schema/node-fold.ts);
 * null when the parent is not found. Not a loader: the caller primes both into the request's
 * loaders.
 */
export async function pageWithParent<P extends keyof PageTypes>(
  db: Database,
  page: P,
  key: RecordPageKey<PageTypes[P]['flag']>,
): Promise<(PageTypes[P]['row'] & { parent: PageTypes[P]['parent'] }) | null> {
  const spec = PAGES[page] as PageSpec<PageTypes[P]['flag']>;
  const rows = await db.readOne<PageTypes[P]['row'] & { parent: PageTypes[P]['parent'] }>(`fold.${spec.statement}`, spec.statement, {
    [spec.parentParam]: [key.parentId],
    after: key.after,
    limit: key.limit,
    ...flagsOf(spec, key),
    withParent: true,
    ...spec.rest,
  });
  return rows[0] ?? null;
}

/**
 * A page of users (as directory/list-users reads it) and, for each, their page of grants, in one
 * statement (directory/grants-of-users with $userIds null), in id order: `users` brings the
 * grants the field below it will ask for (src/schema/users-fold.ts). `grants` is each user's
 * grants page key without its parent id.
 */
export async function usersWithGrants(
  db: Database,
  users: { after: string | null; limit: number; search: string | null },
  grants: Omit<RecordPageKey<PageTypes['grantsOfUser']['flag']>, 'parentId'>,
): Promise<(GrantPageRow & { parent: UserRecord })[]> {
  const spec = PAGES.grantsOfUser;
  const rows = await db.readOne<GrantPageRow & { parent: UserRecord }>('fold.directory/grants-of-users', spec.statement, {
    userIds: null,
    usersAfter: users.after,
    usersLimit: users.limit,
    search: users.search,
    after: grants.after,
    limit: grants.limit,
    ...flagsOf(spec, { ...grants, parentId: '' }),
    withParent: true,
  });
  return rows.sort((a, b) => (a.parent.id < b.parent.id ? -1 : a.parent.id > b.parent.id ? 1 : 0));
}

/** The loaders a page's records are primed into. */
interface Primed {
  user: DataLoader<string, UserRecord | null>;
  grant: DataLoader<string, GrantRecord | null>;
  entitlement: DataLoader<string, EntitlementRecord | null>;
  app: DataLoader<string, AppRecord | null>;
  profile: DataLoader<string, ProfileRecord | null>;
  justifyingProfilesOfGrant: DataLoader<string, string[]>;
}

/** Puts what a page brought into the request's loaders; returns the page's grants. */
export function primeGrants(loaders: Primed, row: GrantPageRow | HolderPageRow | null): GrantRecord[] {
  if (row === null) return [];
  for (const g of row.grants) loaders.grant.prime(g.id, g);
  if ('users' in row) for (const u of row.users) loaders.user.prime(u.id, u);
  if ('entitlements' in row) {
    for (const e of row.entitlements) loaders.entitlement.prime(e.id, e);
    for (const a of row.apps) loaders.app.prime(a.id, a);
    for (const { grantId, profiles } of row.justified) {
      for (const p of profiles) loaders.profile.prime(p.id, p);
      loaders.justifyingProfilesOfGrant.prime(grantId, profiles.map((p) => p.id));
    }
  }
  return row.grants;
}

export function primeUsers(loaders: Primed, row: MemberPageRow | null): UserRecord[] {
  if (row === null) return [];
  for (const u of row.users) loaders.user.prime(u.id, u);
  return row.users;
}

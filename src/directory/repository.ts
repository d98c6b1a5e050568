/** Reads of the directory and profiles: named Cypher in, typed records out. */
import type { Tx } from '../db/database.js';
import type { AppRecord, EntitlementRecord, GrantRecord, IdPage, PolicyRecord, ProfileRecord, UserRecord } from './records.js';

type Row<K extends string, T> = Record<K, T>;

export function parsePolicy(row: { id: string; name: string; steps: string }): PolicyRecord {
  return { id: row.id, name: row.name, steps: JSON.parse(row.steps) as PolicyRecord['steps'] };
}

export const directoryReads = {
  usersById: async (tx: Tx, ids: readonly string[]) => (await tx.run<Row<'user', UserRecord>>('directory/users-by-id', { ids })).map((r) => r.user),
  usersByExternalId: async (tx: Tx, externalIds: readonly string[]) =>
    (await tx.run<Row<'user', UserRecord>>('directory/users-by-external-id', { externalIds })).map((r) => r.user),
  appsById: async (tx: Tx, ids: readonly string[]) => (await tx.run<Row<'app', AppRecord>>('directory/apps-by-id', { ids })).map((r) => r.app),
  appsByExternalId: async (tx: Tx, externalIds: readonly string[]) =>
    (await tx.run<Row<'app', AppRecord>>('directory/apps-by-external-id', { externalIds })).map((r) => r.app),
  entitlementsById: async (tx: Tx, ids: readonly string[]) =>
    (await tx.run<Row<'entitlement', EntitlementRecord>>('directory/entitlements-by-id', { ids })).map((r) => r.entitlement),
  entitlementsByExternalId: async (tx: Tx, externalIds: readonly string[]) =>
    (await tx.run<Row<'entitlement', EntitlementRecord>>('directory/entitlements-by-external-id', { externalIds })).map((r) => r.entitlement),
  grantsById: async (tx: Tx, ids: readonly string[]) => (await tx.run<Row<'grant', GrantRecord>>('directory/grants-by-id', { ids })).map((r) => r.grant),
  policiesById: async (tx: Tx, ids: readonly string[]) =>
    (await tx.run<Row<'policy', { id: string; name: string; steps: string }>>('policies/policies-by-id', { ids })).map((r) => parsePolicy(r.policy)),
  profilesById: async (tx: Tx, ids: readonly string[]) =>
    (await tx.run<Row<'profile', ProfileRecord>>('profiles/profiles-by-id', { ids })).map((r) => r.profile),

  // A page's total is counted only when the client selects totalCount (`withTotal`); else 0.
  listUsers: async (tx: Tx, after: string | null, limit: number, search: string | null, withTotal = true) => ({
    records: (await tx.run<Row<'user', UserRecord>>('directory/list-users', { after, limit, search })).map((r) => r.user),
    total: withTotal ? ((await tx.one<{ total: number }>('directory/count-users', { search }))?.total ?? 0) : 0,
  }),
  listApps: async (tx: Tx, after: string | null, limit: number, withTotal = true) => ({
    records: (await tx.run<Row<'app', AppRecord>>('directory/list-apps', { after, limit })).map((r) => r.app),
    total: withTotal ? ((await tx.one<{ total: number }>('directory/count-apps'))?.total ?? 0) : 0,
  }),
  listEntitlements: async (tx: Tx, after: string | null, limit: number, search: string | null, withTotal = true) => ({
    records: (await tx.run<Row<'entitlement', EntitlementRecord>>('directory/list-entitlements', { after, limit, search })).map((r) => r.entitlement),
    total: withTotal ? ((await tx.one<{ total: number }>('directory/count-entitlements', { search }))?.total ?? 0) : 0,
  }),
  listProfileIds: async (tx: Tx, after: string | null, limit: number, withTotal = true) => ({
    ids: (await tx.run<{ id: string }>('profiles/list-profiles', { after, limit })).map((r) => r.id),
    total: withTotal ? ((await tx.one<{ total: number }>('profiles/count-profiles'))?.total ?? 0) : 0,
  }),
  listPolicies: async (tx: Tx) =>
    (await tx.run<Row<'policy', { id: string; name: string; steps: string }>>('policies/list-policies')).map((r) => parsePolicy(r.policy)),
};

/** Nested lists of ids per parent, one statement for many parents. */
export async function idListsByParent(tx: Tx, statement: string, parentParam: string, parentIds: readonly string[]): Promise<Map<string, string[]>> {
  const rows = await tx.run<{ parentId: string; ids: string[] }>(statement, { [parentParam]: parentIds });
  return new Map(rows.map((r) => [r.parentId, r.ids]));
}

/** Nested pages of ids per parent, one statement for many parents sharing the same page arguments. */
export async function idPagesByParent(
  tx: Tx,
  statement: string,
  parentParam: string,
  parentIds: readonly string[],
  after: string | null,
  limit: number,
): Promise<Map<string, IdPage>> {
  const rows = await tx.run<{ parentId: string; ids: string[]; total: number }>(statement, { [parentParam]: parentIds, after, limit });
  return new Map(rows.map((r) => [r.parentId, { ids: r.ids, total: r.total }]));
}

/**
 * Partner ingest: bulk upserts keyed by external id. Each batch is validated whole, then written
 * in one transaction as UNWIND statements of up to CHUNK rows: applied entirely or not at all
 * (batches arriving together share that transaction, one after the other: IngestService.writes).
 */
import { recordAudit } from '../audit/trail.js';
import type { Viewer } from '../auth/viewer.js';
import { batchesOf } from '../batches.js';
import type { Database, Tx } from '../db/database.js';
import { WriteGroups, type Settled } from '../db/write-groups.js';
import { rejectRows, type RowProblem } from '../errors.js';
import { credentialEvent } from '../events/domain.js';
import { newId, now, rawIdOf } from '../ids.js';

export const CHUNK = 5000;
const MAX_BATCH = 100_000;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export interface UpsertResult {
  created: number;
  updated: number;
  unchanged: number;
  removed: number;
}

export interface UserInput {
  externalId: string;
  email: string;
  displayName: string;
  status?: 'ACTIVE' | 'DISABLED' | null;
  managerExternalId?: string | null;
}
export interface AppInput {
  externalId: string;
  name: string;
  ownerExternalIds?: string[] | null;
  provisioning?: 'AUTOMATIC' | 'MANUAL' | null;
}
export interface EntitlementInput {
  externalId: string;
  appExternalId: string;
  name: string;
  requestPolicyId?: string | null;
  revokePolicyId?: string | null;
}
export interface GrantInput {
  userExternalId: string;
  entitlementExternalId: string;
}

function text(value: string | null | undefined, field: string, index: number, problems: RowProblem[], key?: string, max = 500): void {
  if (typeof value !== 'string' || value.trim() === '') problems.push({ index, key, problem: `${field} is empty` });
  else if (value.length > max) problems.push({ index, key, problem: `${field} is longer than ${max} characters` });
  else if (value.includes('\u0000')) problems.push({ index, key, problem: `${field} contains a NUL character` });
}

function duplicates<T>(rows: T[], keyOf: (row: T) => string, problems: RowProblem[]): void {
  const seen = new Map<string, number>();
  rows.forEach((row, index) => {
    const key = keyOf(row);
    const first = seen.get(key);
    if (first !== undefined) problems.push({ index, key, problem: `duplicate of row #${first}` });
    else seen.set(key, index);
  });
}

function tally(rows: { outcome: string; rows: number }[], into: UpsertResult): void {
  for (const row of rows) {
    if (row.outcome === 'created' || row.outcome === 'updated' || row.outcome === 'unchanged') into[row.outcome] += row.rows;
  }
}

const emptyResult = (): UpsertResult => ({ created: 0, updated: 0, unchanged: 0, removed: 0 });

/** A batch that created, updated and removed nothing changed nothing: it records no audit entry. */
const changedAnything = (result: UpsertResult): boolean => result.created + result.updated + result.removed > 0;

async function missing(tx: Tx, label: 'User' | 'App' | 'Entitlement', externalIds: string[]): Promise<Set<string>> {
  if (externalIds.length === 0) return new Set();
  const found = new Set<string>();
  for (const part of batchesOf([...new Set(externalIds)], CHUNK)) {
    const row = await tx.one<{ missing: string[] }>('directory/missing-external-ids', { label, externalIds: part });
    for (const id of row?.missing ?? []) found.add(id);
  }
  return found;
}

/** One ingest batch's write: its unit's name, its rows, and its work in the transaction. */
interface IngestWrite {
  name: string;
  rows: number;
  work: (tx: Tx) => Promise<UpsertResult>;
}

export class IngestService {
  /**
   * Batches that arrive together share a transaction, one after the other in it, each as it
   * would run alone (src/db/write-groups.ts; up to 10,000 rows a transaction, a bigger batch
   * alone): a batch refused inside (an unknown manager, app or entitlement) fails the group,
   * whose batches are then written again one by one, so the refusal reaches only its own.
   */
  readonly writes: WriteGroups<IngestWrite, UpsertResult>;

  constructor(private readonly db: Database) {
    this.writes = new WriteGroups(
      (group) =>
        this.db.write(group.length === 1 ? group[0]!.name : 'directory.ingest', async (tx) => {
          const settled: Settled<UpsertResult>[] = [];
          for (const { work } of group) settled.push({ value: await work(tx) });
          return settled;
        }),
      { weightOf: (write) => write.rows },
    );
  }

  private write(name: string, rows: number, work: (tx: Tx) => Promise<UpsertResult>): Promise<UpsertResult> {
    return this.writes.submit({ name, rows, work });
  }

  private checkSize(what: string, rows: unknown[]): void {
    if (rows.length > MAX_BATCH) throw rejectRows(what, [{ index: MAX_BATCH, problem: `a batch holds at most ${MAX_BATCH} rows` }]);
  }

  async upsertUsers(users: UserInput[], actor: Viewer | null = null): Promise<UpsertResult> {
    this.checkSize('upsertUsers', users);
    const problems: RowProblem[] = [];
    users.forEach((u, i) => {
      text(u.externalId, 'externalId', i, problems, u.externalId);
      text(u.displayName, 'displayName', i, problems, u.externalId);
      if (typeof u.email !== 'string' || !EMAIL.test(u.email) || u.email.length > 320) problems.push({ index: i, key: u.externalId, problem: 'email is not an address' });
      if (u.managerExternalId === u.externalId) problems.push({ index: i, key: u.externalId, problem: 'a user cannot be their own manager' });
    });
    duplicates(users, (u) => u.externalId, problems);
    if (problems.length > 0) throw rejectRows('upsertUsers', problems);
    const rows = users.map((u) => ({
      id: newId(),
      externalId: u.externalId,
      email: u.email,
      displayName: u.displayName,
      status: u.status ?? 'ACTIVE',
      managerExternalId: u.managerExternalId ?? null,
    }));
    const inBatch = new Set(rows.map((r) => r.externalId));
    return this.write('directory.upsertUsers', rows.length, async (tx) => {
      const managers = rows.map((r) => r.managerExternalId).filter((m): m is string => m !== null && !inBatch.has(m));
      const unknown = await missing(tx, 'User', managers);
      if (unknown.size > 0) {
        throw rejectRows(
          'upsertUsers',
          rows.flatMap((r, index) => (r.managerExternalId && unknown.has(r.managerExternalId) ? [{ index, key: r.externalId, problem: `unknown manager ${r.managerExternalId}` }] : [])),
        );
      }
      const result = emptyResult();
      const at = now();
      // Users this batch disables: their open connections close, on every instance (src/security/live.ts).
      const disabling = rows.filter((r) => r.status === 'DISABLED').map((r) => r.externalId);
      for (const part of batchesOf(disabling, CHUNK)) {
        const turning = await tx.one<{ ids: string[] }>('directory/users-turning-disabled', { externalIds: part });
        tx.unit.recordEvents((turning?.ids ?? []).map((id) => credentialEvent('USER_DISABLED', id, null)));
      }
      // Managers are linked for the rows whose manager changed (a re-ingest that keeps them skips it).
      const relink = new Set<string>();
      for (const part of batchesOf(rows, CHUNK)) {
        const counted = await tx.run<{ outcome: string; rows: number; managerChanged: string[] }>('directory/upsert-users', { rows: part, now: at });
        tally(counted, result);
        for (const row of counted) for (const id of row.managerChanged) relink.add(id);
      }
      const managed = rows.filter((r) => relink.has(r.externalId));
      for (const part of batchesOf(managed, CHUNK)) await tx.run('directory/set-user-managers', { rows: part });
      if (changedAnything(result)) recordAudit(tx, actor, { action: 'INGEST_USERS', subjectType: 'User', after: { ...result, externalIds: rows.map((r) => r.externalId) } });
      return result;
    });
  }

  async upsertApps(apps: AppInput[], actor: Viewer | null = null): Promise<UpsertResult> {
    this.checkSize('upsertApps', apps);
    const problems: RowProblem[] = [];
    apps.forEach((a, i) => {
      text(a.externalId, 'externalId', i, problems, a.externalId);
      text(a.name, 'name', i, problems, a.externalId);
    });
    duplicates(apps, (a) => a.externalId, problems);
    if (problems.length > 0) throw rejectRows('upsertApps', problems);
    const rows = apps.map((a) => ({
      id: newId(),
      externalId: a.externalId,
      name: a.name,
      provisioning: a.provisioning ?? 'AUTOMATIC',
      ownerExternalIds: [...new Set(a.ownerExternalIds ?? [])],
    }));
    return this.write('directory.upsertApps', apps.length, async (tx) => {
      const unknown = await missing(tx, 'User', rows.flatMap((r) => r.ownerExternalIds));
      if (unknown.size > 0) {
        throw rejectRows(
          'upsertApps',
          rows.flatMap((r, index) => r.ownerExternalIds.filter((o) => unknown.has(o)).map((o) => ({ index, key: r.externalId, problem: `unknown owner ${o}` }))),
        );
      }
      const result = emptyResult();
      const at = now();
      for (const part of batchesOf(rows, CHUNK)) tally(await tx.run('directory/upsert-apps', { rows: part, now: at }), result);
      if (changedAnything(result)) recordAudit(tx, actor, { action: 'INGEST_APPS', subjectType: 'App', after: { ...result, externalIds: rows.map((r) => r.externalId) } });
      return result;
    });
  }

  async upsertEntitlements(entitlements: EntitlementInput[], actor: Viewer | null = null): Promise<UpsertResult> {
    this.checkSize('upsertEntitlements', entitlements);
    const problems: RowProblem[] = [];
    const policyId = (globalId: string | null | undefined, index: number, key: string): string | null => {
      if (!globalId) return null;
      try {
        return rawIdOf('Policy', globalId);
      } catch {
        problems.push({ index, key, problem: `${globalId} is not a policy id` });
        return null;
      }
    };
    const rows = entitlements.map((e, i) => {
      text(e.externalId, 'externalId', i, problems, e.externalId);
      text(e.name, 'name', i, problems, e.externalId);
      text(e.appExternalId, 'appExternalId', i, problems, e.externalId);
      return {
        id: newId(),
        externalId: e.externalId,
        appExternalId: e.appExternalId,
        name: e.name,
        requestPolicyId: policyId(e.requestPolicyId, i, e.externalId),
        revokePolicyId: policyId(e.revokePolicyId, i, e.externalId),
      };
    });
    duplicates(entitlements, (e) => e.externalId, problems);
    if (problems.length > 0) throw rejectRows('upsertEntitlements', problems);
    return this.write('directory.upsertEntitlements', entitlements.length, async (tx) => {
      const unknownApps = await missing(tx, 'App', rows.map((r) => r.appExternalId));
      const policyIds = [...new Set(rows.flatMap((r) => [r.requestPolicyId, r.revokePolicyId]).filter((p): p is string => p !== null))];
      const unknownPolicies = new Set(policyIds.length ? ((await tx.one<{ missing: string[] }>('directory/missing-policies', { ids: policyIds }))?.missing ?? []) : []);
      const rowProblems = rows.flatMap((r, index) => [
        ...(unknownApps.has(r.appExternalId) ? [{ index, key: r.externalId, problem: `unknown app ${r.appExternalId}` }] : []),
        ...[r.requestPolicyId, r.revokePolicyId].filter((p) => p !== null && unknownPolicies.has(p)).map(() => ({ index, key: r.externalId, problem: 'unknown policy' })),
      ]);
      if (rowProblems.length > 0) throw rejectRows('upsertEntitlements', rowProblems);
      const result = emptyResult();
      const at = now();
      for (const part of batchesOf(rows, CHUNK)) tally(await tx.run('directory/upsert-entitlements', { rows: part, now: at }), result);
      if (changedAnything(result)) recordAudit(tx, actor, { action: 'INGEST_ENTITLEMENTS', subjectType: 'Entitlement', after: { ...result, externalIds: rows.map((r) => r.externalId) } });
      return result;
    });
  }

  async upsertGrants(grants: GrantInput[], replaceForEntitlements: string[] | null | undefined, actor: Viewer | null = null): Promise<UpsertResult> {
    this.checkSize('upsertGrants', grants);
    const problems: RowProblem[] = [];
    grants.forEach((g, i) => {
      const key = `${g.userExternalId}/${g.entitlementExternalId}`;
      text(g.userExternalId, 'userExternalId', i, problems, key);
      text(g.entitlementExternalId, 'entitlementExternalId', i, problems, key);
    });
    duplicates(grants, (g) => `${g.userExternalId}\u0000${g.entitlementExternalId}`, problems);
    if (problems.length > 0) throw rejectRows('upsertGrants', problems);
    const replace = [...new Set(replaceForEntitlements ?? [])];
    const rows = grants.map((g) => ({ id: newId(), userExternalId: g.userExternalId, entitlementExternalId: g.entitlementExternalId }));

    // A batch that replaces the grants of entitlements may remove any number of them: it goes alone.
    return this.write('directory.upsertGrants', replace.length > 0 ? Infinity : grants.length, async (tx) => {
      const unknownUsers = await missing(tx, 'User', rows.map((r) => r.userExternalId));
      const entitlementIds = [...new Set([...rows.map((r) => r.entitlementExternalId), ...replace])];
      const unknownEntitlements = await missing(tx, 'Entitlement', entitlementIds);
      const kinds = new Map<string, string>();
      for (const part of batchesOf(entitlementIds, CHUNK)) {
        for (const k of await tx.run<{ externalId: string; kind: string }>('directory/entitlement-kinds', { externalIds: part })) kinds.set(k.externalId, k.kind);
      }
      const rowProblems: RowProblem[] = rows.flatMap((r, index) => {
        const key = `${r.userExternalId}/${r.entitlementExternalId}`;
        return [
          ...(unknownUsers.has(r.userExternalId) ? [{ index, key, problem: `unknown user ${r.userExternalId}` }] : []),
          ...(unknownEntitlements.has(r.entitlementExternalId) ? [{ index, key, problem: `unknown entitlement ${r.entitlementExternalId}` }] : []),
        ];
      });
      replace.forEach((externalId, index) => {
        if (unknownEntitlements.has(externalId)) rowProblems.push({ index, key: externalId, problem: `replaceForEntitlements names unknown entitlement ${externalId}` });
      });
      for (const [externalId, kind] of kinds) {
        if (kind !== 'STANDARD') rowProblems.push({ index: -1, key: externalId, problem: 'profile entitlements are not ingested' });
      }
      if (rowProblems.length > 0) throw rejectRows('upsertGrants', rowProblems);

      const result = emptyResult();
      const changed = new Set<string>();
      const at = now();
      for (const part of batchesOf(rows, CHUNK)) {
        const outcomes = await tx.run<{ outcome: string; rows: number; changedEntitlementIds: (string | null)[] }>('directory/upsert-grants', { rows: part, now: at });
        tally(outcomes, result);
        for (const o of outcomes) for (const id of o.changedEntitlementIds) if (id) changed.add(id);
      }
      if (replace.length > 0) {
        const keep = new Map<string, string[]>(replace.map((e) => [e, []]));
        for (const r of rows) keep.get(r.entitlementExternalId)?.push(r.userExternalId);
        const removed = await tx.one<{ removed: number; changedEntitlementIds: string[] }>('directory/remove-unlisted-grants', {
          replace: [...keep].map(([entitlementExternalId, keepUserExternalIds]) => ({ entitlementExternalId, keepUserExternalIds })),
        });
        result.removed = removed?.removed ?? 0;
        for (const id of removed?.changedEntitlementIds ?? []) changed.add(id);
      }
      if (changedAnything(result)) {
        recordAudit(tx, actor, {
          action: 'INGEST_GRANTS',
          subjectType: 'Grant',
          after: { ...result, grants: rows.map((r) => `${r.userExternalId}/${r.entitlementExternalId}`), replaceForEntitlements: replace },
        });
      }
      tx.unit.holdersChanged(changed);
      return result;
    });
  }
}

/**
 * The audit trail's write side. A change records its entries on the unit of work of the
 * transaction that makes it (`recordAudit`), and the engine tallies the bulk task work it does
 * (`tallyTasks`); `pendingEntriesOf` gives them to src/finish-write.ts, which records them last inside
 * that transaction (a Database finisher):
 * an entry commits with its change or not at all, and a retried attempt starts from a fresh unit.
 *
 * The write only records its entries as pending (`(:AuditPending)`, no seq, no hash): it takes no
 * lock that another write needs, so independent writes never queue behind one chain. Once it has
 * committed, the sealer (sealer.ts) chains every pending entry in one pass: seq and hash =
 * sha256(prevHash + canonical JSON of the entry's fields), the head on `(:Counter {name: 'audit'})`.
 * A change that changes nothing records nothing (docs/audit.md, "No-op changes").
 */
import { createHash } from 'node:crypto';
import type { Viewer } from '../auth/viewer.js';
import type { Tx } from '../db/database.js';
import type { TaskTally, UnitOfWork } from '../db/unit-of-work.js';
import { newId, now } from '../ids.js';

export type AuditActorKind = 'USER' | 'ADMIN_TOKEN' | 'SYSTEM';

export interface AuditActor {
  kind: AuditActorKind;
  userId: string | null;
  tokenId: string | null;
}

export const SYSTEM_ACTOR: AuditActor = { kind: 'SYSTEM', userId: null, tokenId: null };

/** Who acted: a user's token, the bootstrap ADMIN_TOKEN (no user), or the system (no viewer). */
export function actorOf(viewer: Viewer | null | undefined): AuditActor {
  if (!viewer) return SYSTEM_ACTOR;
  if (viewer.userId === null) return { kind: 'ADMIN_TOKEN', userId: null, tokenId: viewer.tokenId };
  return { kind: 'USER', userId: viewer.userId, tokenId: viewer.tokenId };
}

/** Every action the trail records (docs/audit.md says what each means). */
export const AUDIT_ACTIONS = [
  'INGEST_USERS',
  'INGEST_APPS',
  'INGEST_ENTITLEMENTS',
  'INGEST_GRANTS',
  'ROLE_CHANGED',
  'TOKEN_CREATED',
  'TOKEN_REVOKED',
  'SAFEGUARD_SETTINGS_UPDATED',
  'POLICY_CREATED',
  'PROFILE_CREATED',
  'PROFILE_UPDATED',
  'PROFILE_ITEMS_ADDED',
  'PROFILE_ITEMS_REMOVED',
  'AUTOMATION_SAVED',
  'MEMBERS_ENROLLED',
  'MEMBERS_UNENROLLED',
  'MISSING_ACCESS_REQUESTED',
  'ACCESS_REQUESTED',
  'TASK_STEP_APPROVED',
  'TASK_APPROVED',
  'TASK_DENIED',
  'TASK_CANCELLED',
  'PROVISIONING_COMPLETED',
  'PROVISIONING_FAILED',
  'TASKS_PROCESSED',
  'SYNC_STARTED',
  'SYNC_PAUSED',
  'SYNC_RESUMED',
  'SYNC_DISCARDED',
  'SYNC_COMPLETED',
  'SYNC_FAILED',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What an entry is about. */
export type AuditSubjectType = 'User' | 'App' | 'Entitlement' | 'Grant' | 'ApiToken' | 'Settings' | 'Policy' | 'AccessProfile' | 'Task' | 'SyncRun';

/** One change as the code that makes it describes it. */
export interface AuditChange {
  action: AuditAction;
  subjectType: AuditSubjectType;
  subjectId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** An entry as stored: every field the hash covers, and the hashes. */
export interface AuditEntryRecord {
  seq: number;
  at: string;
  actorUserId: string | null;
  actorTokenId: string | null;
  actorKind: AuditActorKind;
  action: string;
  subjectType: string;
  subjectId: string | null;
  /** JSON text (canonical: keys sorted), null when there was nothing before / after. */
  before: string | null;
  after: string | null;
  hash: string;
  prevHash: string;
}

/** The prevHash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** sha256(prevHash + canonical JSON of the entry's fields other than the hashes). */
export function hashOf(entry: Omit<AuditEntryRecord, 'hash'>): string {
  const fields = {
    seq: entry.seq,
    at: entry.at,
    actorUserId: entry.actorUserId ?? null,
    actorTokenId: entry.actorTokenId ?? null,
    actorKind: entry.actorKind,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
  };
  return createHash('sha256').update(entry.prevHash).update(canonicalJson(fields)).digest('hex');
}

// ------------------------------------------------------------------ recorded on the unit of work

/** Both sides given and the same values: the change changed nothing an entry would show. */
export function changesNothing(change: AuditChange): boolean {
  const given = (side: unknown) => side !== undefined && side !== null;
  return given(change.before) && given(change.after) && canonicalJson(change.before) === canonicalJson(change.after);
}

/**
 * Records changes made in this transaction; they are appended when its work is done. A change
 * whose before and after are the same values (a profile saved as it was) records nothing.
 */
export function recordAudit(tx: Tx, actor: Viewer | AuditActor | null | undefined, ...changes: AuditChange[]): void {
  const resolved = actor && 'kind' in actor ? actor : actorOf(actor as Viewer | null | undefined);
  tx.unit.auditChanges.push(...changes.filter((change) => !changesNothing(change)).map((change) => ({ actor: resolved, change })));
}

/** Whether the unit recorded anything for the audit trail (entries, or bulk task work to sum up). */
export function recordsAudit(unit: UnitOfWork): boolean {
  return unit.auditChanges.length > 0 || unit.taskTally !== null;
}

function tallyOf(tx: Tx): TaskTally {
  tx.unit.taskTally ??= { created: new Set(), provisioning: new Set(), completed: new Set(), cancelled: new Set(), membersEnrolled: 0, membersUnenrolled: 0, profileIds: new Set() };
  return tx.unit.taskTally;
}

export type TaskTallyKind = 'created' | 'provisioning' | 'completed' | 'cancelled';

/**
 * The engine's bulk work (tasks created, moved to provisioning, completed, cancelled, cascades
 * included) becomes ONE summary entry per transaction, however many tasks it touched.
 */
export function tallyTasks(tx: Tx, kind: TaskTallyKind, tasks: readonly { id: string; profileId?: string | null }[] | readonly string[]): void {
  if (tasks.length === 0) return;
  const tally = tallyOf(tx);
  for (const task of tasks) {
    if (typeof task === 'string') tally[kind].add(task);
    else {
      tally[kind].add(task.id);
      if (task.profileId && tally.profileIds.size < 100) tally.profileIds.add(task.profileId);
    }
  }
}

/** Memberships the engine's completions made or ended in this transaction. */
export function tallyMemberships(tx: Tx, enrolled: number, unenrolled: number): void {
  if (enrolled === 0 && unenrolled === 0) return;
  const tally = tallyOf(tx);
  tally.membersEnrolled += enrolled;
  tally.membersUnenrolled += unenrolled;
}

/**
 * The summary of the engine's work, leaving out the tasks the transaction's own entries are
 * about (a decision's entry already says what became of its task); null when nothing is left.
 */
function taskSummary(unit: UnitOfWork): AuditChange | null {
  const tally = unit.taskTally;
  if (!tally) return null;
  const named = new Set(unit.auditChanges.filter((e) => e.change.subjectType === 'Task' && e.change.subjectId).map((e) => e.change.subjectId!));
  const count = (ids: Set<string>) => [...ids].filter((id) => !named.has(id)).length;
  const after = {
    tasksCreated: count(tally.created),
    tasksAwaitingProvisioning: count(tally.provisioning),
    tasksCompleted: count(tally.completed),
    tasksCancelled: count(tally.cancelled),
    membersEnrolled: tally.membersEnrolled,
    membersUnenrolled: tally.membersUnenrolled,
    profileIds: [...tally.profileIds].sort(),
  };
  const total = after.tasksCreated + after.tasksAwaitingProvisioning + after.tasksCompleted + after.tasksCancelled + after.membersEnrolled + after.membersUnenrolled;
  if (total === 0) return null;
  const causedBy = unit.auditChanges[0]?.change.action ?? null;
  return { action: 'TASKS_PROCESSED', subjectType: 'Task', subjectId: null, before: null, after: { ...after, causedBy } };
}

/** Fields of a pending entry: everything the hash covers but seq, and its place in its write. */
export type PendingEntry = Omit<AuditEntryRecord, 'seq' | 'hash' | 'prevHash'> & { unitId: string; ordinal: number };

/**
 * The unit's audit changes as pending entries (its summary of bulk task work last), to be recorded
 * last inside its transaction (src/finish-write.ts, a Database finisher): they commit with the change
 * or not at all, and are chained after commit. Empty when the unit recorded nothing.
 */
export function pendingEntriesOf(unit: UnitOfWork): PendingEntry[] {
  const changes = [...unit.auditChanges];
  const summary = taskSummary(unit);
  if (summary) changes.push({ actor: SYSTEM_ACTOR, change: summary });
  if (changes.length === 0) return [];
  const at = now();
  const unitId = newId();
  return changes.map(({ actor, change }, ordinal) => ({
    unitId,
    ordinal,
    at,
    actorUserId: actor.userId,
    actorTokenId: actor.tokenId,
    actorKind: actor.kind,
    action: change.action,
    subjectType: change.subjectType,
    subjectId: change.subjectId ?? null,
    before: change.before === undefined || change.before === null ? null : canonicalJson(change.before),
    after: change.after === undefined || change.after === null ? null : canonicalJson(change.after),
  }));
}

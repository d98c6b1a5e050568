/**
 * A profile's membership as admins change it: manual enrollment and unenrollment, the exclusion
 * list, and saving the membership automation (stored with its exclusion tasks in one transaction,
 * then synced). The rule-driven part of membership is the sync's (src/sync/).
 */
import { recordAudit } from '../audit/trail.js';
import type { Viewer } from '../auth/viewer.js';
import { batchesOf } from '../batches.js';
import type { Database, Tx } from '../db/database.js';
import { directoryReads } from '../directory/repository.js';
import { AppError, badInput } from '../errors.js';
import type { Logger } from '../logger.js';
import { noSuch, now } from '../ids.js';
import type { SyncService } from '../sync/runner.js';
import type { TaskRecord, TaskRequest } from '../workflow/records.js';
import { TASK_BATCH, type TaskService } from '../workflow/tasks.js';
import { mergeAutomation, type Automation, type AutomationChange } from './automation.js';
import { requireExisting, requireProfile } from './existing.js';

export interface MembershipDeps {
  db: Database;
  logger: Logger;
  tasks: TaskService;
  sync: SyncService;
  /** Syncs the profile again soon (after a save that found a sync running, which used the old settings). */
  syncLater: (profileId: string) => void;
}

interface HoldingState {
  userId: string;
  holds: boolean;
  enrolledVia: string | null;
  openGrantTaskId: string | null;
  openRevokeTaskId: string | null;
}

/** A profile's membership automation as saved (and as the audit trail records it before and after a change). */
async function automationOf(tx: Tx, id: string): Promise<Automation | null> {
  const [profile] = await directoryReads.profilesById(tx, [id]);
  if (!profile) return null;
  const ids = async (name: string) => ((await tx.one<{ ids: string[] }>(name, { profileIds: [id] }))?.ids ?? []).sort();
  return {
    enabled: profile.automationEnabled ?? false,
    mode: profile.automationMode ?? 'SYNC_MEMBERS_AND_ACCESS',
    pauseOnAnomalies: profile.pauseOnAnomalies ?? true,
    conditionEntitlementIds: await ids('profiles/condition-of-profiles'),
    excludedUserIds: await ids('profiles/excluded-of-profiles'),
  };
}

async function profileOf(tx: Tx, profileId: string) {
  const [profile] = await directoryReads.profilesById(tx, [profileId]);
  if (!profile) throw noSuch('AccessProfile', profileId);
  return profile;
}

/** Whether each user holds the entitlement, and their open grant / revoke task of it. */
async function holdingState(tx: Tx, entitlementId: string, userIds: string[]): Promise<HoldingState[]> {
  const rows: HoldingState[] = [];
  for (const ids of batchesOf(userIds, TASK_BATCH)) rows.push(...(await tx.run<HoldingState>('profiles/holding-state-of-users', { entitlementId, userIds: ids })));
  return rows;
}

export class MembershipService {
  constructor(private readonly deps: MembershipDeps) {}

  private get db() {
    return this.deps.db;
  }

  private get tasks() {
    return this.deps.tasks;
  }

  /**
   * enrollUsers: a MANUAL enrollment task for each user who is not a member (users need not match);
   * a member's pending unenrollment is cancelled instead. Returns the enrollment tasks (new or already open).
   */
  async enrollUsers(profileId: string, userIds: string[], actor: Viewer | null): Promise<TaskRecord[]> {
    const unique = [...new Set(userIds)];
    await requireExisting(this.db, { userIds: unique });
    return this.db.write('profiles.enrollUsers', async (tx) => {
      const profile = await profileOf(tx, profileId);
      const state = await holdingState(tx, profile.enrollmentEntitlementId, unique);
      const superseded = await this.tasks.cancelIn(
        tx,
        state.filter((s) => s.holds && s.openRevokeTaskId).map((s) => s.openRevokeTaskId!),
        'Superseded: an admin enrolled the user',
      );
      const requests: TaskRequest[] = state
        .filter((s) => !s.holds)
        .map((s) => ({
          kind: 'GRANT',
          origin: 'MANUAL_ENROLLMENT',
          userId: s.userId,
          entitlementId: profile.enrollmentEntitlementId,
          profileId,
          enrollVia: 'MANUAL',
          requestedById: actor?.userId ?? null,
        }));
      const created = await this.tasks.createIn(tx, requests);
      // Everyone a member already, or asked for already: nothing changed, nothing recorded.
      if (created.created.length > 0 || superseded.length > 0) {
        recordAudit(tx, actor, { action: 'MEMBERS_ENROLLED', subjectType: 'AccessProfile', subjectId: profileId, after: { userIds: unique, enrollmentTasksCreated: created.created.length } });
      }
      return this.tasks.byIds(tx, [...created.created, ...created.existing]);
    });
  }

  /**
   * unenrollUsers: a REVOKE task (origin MANUAL_ENROLLMENT) of the enrollment entitlement for each
   * member, however they were enrolled; a non-member's pending enrollment is cancelled. Returns the
   * unenrollment tasks and the cancelled enrollment tasks.
   */
  async unenrollUsers(profileId: string, userIds: string[], actor: Viewer | null): Promise<TaskRecord[]> {
    const unique = [...new Set(userIds)];
    await requireExisting(this.db, { userIds: unique });
    return this.db.write('profiles.unenrollUsers', async (tx) => {
      const profile = await profileOf(tx, profileId);
      const state = await holdingState(tx, profile.enrollmentEntitlementId, unique);
      const cancelled = await this.tasks.cancelIn(
        tx,
        state.filter((s) => !s.holds && s.openGrantTaskId).map((s) => s.openGrantTaskId!),
        'Cancelled: an admin unenrolled the user',
      );
      const requests: TaskRequest[] = state
        .filter((s) => s.holds)
        .map((s) => ({
          kind: 'REVOKE',
          origin: 'MANUAL_ENROLLMENT',
          userId: s.userId,
          entitlementId: profile.enrollmentEntitlementId,
          profileId,
          requestedById: actor?.userId ?? null,
        }));
      const created = await this.tasks.createIn(tx, requests);
      if (created.created.length > 0 || cancelled.length > 0) {
        recordAudit(tx, actor, {
          action: 'MEMBERS_UNENROLLED',
          subjectType: 'AccessProfile',
          subjectId: profileId,
          after: { userIds: unique, unenrollmentTasksCreated: created.created.length, enrollmentTasksCancelled: cancelled.length },
        });
      }
      return this.tasks.byIds(tx, [...created.created, ...created.existing, ...cancelled]);
    });
  }

  /**
   * setMembershipAutomation: merges the change into the saved automation (what is left out keeps
   * its value: automation.ts), stores it and acts on the exclusion list's changes in one
   * transaction, then (enabled) syncs the profile at once; `syncAfter: false` leaves the sync to
   * the caller (the benchmark times it).
   */
  async saveAutomation(profileId: string, change: AutomationChange, actor: Viewer | null, options: { syncAfter?: boolean } = {}): Promise<void> {
    await requireProfile(this.db, profileId);
    await requireExisting(this.db, { entitlementIds: change.conditionEntitlementIds ?? [], userIds: change.excludedUserIds ?? [] });
    const saved = await this.db.write('profiles.saveAutomation', async (tx) => {
      const before = await automationOf(tx, profileId);
      if (!before) throw noSuch('AccessProfile', profileId);
      const next = mergeAutomation(before, change);
      if (next.enabled && next.conditionEntitlementIds.length === 0) throw badInput('An enabled automation needs at least one condition entitlement');
      const stored = await tx.one<{ excludedAdded: string[]; excludedRemoved: string[] }>('profiles/set-automation', { profileId, ...next, now: now() });
      recordAudit(tx, actor, { action: 'AUTOMATION_SAVED', subjectType: 'AccessProfile', subjectId: profileId, before, after: await automationOf(tx, profileId) });
      tx.unit.profileNeedsSync(profileId);
      await this.exclusionsChanged(tx, profileId, stored?.excludedAdded ?? [], stored?.excludedRemoved ?? [], actor);
      return next;
    });
    if (saved.enabled && options.syncAfter !== false) await this.syncAfterSave(profileId, actor);
  }

  /**
   * Exclusion list changes: an added user gets a request for the profile's exclusion entitlement
   * (a pending revoke of it is cancelled); a removed user's exclusion grant is revoked (a pending
   * request for it is cancelled). Origin EXCLUSION.
   */
  private async exclusionsChanged(tx: Tx, profileId: string, excludedAdded: string[], excludedRemoved: string[], actor: Viewer | null): Promise<void> {
    if (excludedAdded.length === 0 && excludedRemoved.length === 0) return;
    const profile = await profileOf(tx, profileId);
    const exclusion = profile.exclusionEntitlementId;
    const added = await holdingState(tx, exclusion, excludedAdded);
    const removed = await holdingState(tx, exclusion, excludedRemoved);
    await this.tasks.cancelIn(
      tx,
      [...added.filter((s) => s.openRevokeTaskId).map((s) => s.openRevokeTaskId!), ...removed.filter((s) => s.openGrantTaskId).map((s) => s.openGrantTaskId!)],
      'Superseded: the excluded users list changed',
    );
    const base = { origin: 'EXCLUSION' as const, entitlementId: exclusion, profileId, requestedById: actor?.userId ?? null };
    await this.tasks.createIn(tx, [
      ...added.filter((s) => !s.holds).map((s): TaskRequest => ({ ...base, kind: 'GRANT', userId: s.userId })),
      ...removed.filter((s) => s.holds).map((s): TaskRequest => ({ ...base, kind: 'REVOKE', userId: s.userId })),
    ]);
  }

  /** The sync that follows a save: a running one used the old settings, so the profile syncs again after it; a paused one waits for review. */
  private async syncAfterSave(profileId: string, actor: Viewer | null): Promise<void> {
    try {
      const outcome = await this.deps.sync.sync(profileId, 'AUTOMATION_SAVED', actor);
      if (outcome.kind === 'busy') this.deps.syncLater(profileId);
    } catch (error) {
      // The save stands; the run records why its sync failed, and the next sync redoes it.
      const code = error instanceof AppError ? error.extensions.code : null;
      this.deps.logger.error('sync after saving the automation failed', { profileId, code, message: (error as Error).message });
    }
  }
}

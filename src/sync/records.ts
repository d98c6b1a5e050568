/** Rows of the sync engine, as its repository returns them: raw ids, plain values. */
import type { AutomationMode } from '../directory/records.js';

/** What started a run; HOLDERS_CHANGED is the near-real-time trigger (condition holders changed). */
/** FOLLOW_UP: a further pass, because something the sync depends on changed while a run was under way. */
export type SyncTrigger = 'SCHEDULE' | 'MANUAL' | 'AUTOMATION_SAVED' | 'RESUME' | 'HOLDERS_CHANGED' | 'FOLLOW_UP';
export const SYNC_TRIGGERS: SyncTrigger[] = ['SCHEDULE', 'MANUAL', 'AUTOMATION_SAVED', 'RESUME', 'HOLDERS_CHANGED', 'FOLLOW_UP'];
export type SyncRunState = 'RUNNING' | 'COMPLETED' | 'PAUSED' | 'DISCARDED' | 'FAILED';
export const SYNC_RUN_STATES: SyncRunState[] = ['RUNNING', 'COMPLETED', 'PAUSED', 'DISCARDED', 'FAILED'];

export interface SyncRunRecord {
  id: string;
  profileId: string;
  trigger: SyncTrigger;
  state: SyncRunState;
  startedAt: string;
  finishedAt: string | null;
  pausedAt: string | null;
  pauseReason: string | null;
  failReason: string | null;
  enrollTasksCreated: number;
  unenrollTasksCreated: number;
  cancelledTasks: number;
  memberCount: number | null;
  toEnrollCount: number | null;
  toUnenrollCount: number | null;
  /** Who started it (null: the system, or the bootstrap admin token). */
  actorId: string | null;
  /** Who resumed or discarded it when it was paused ('ADMIN_TOKEN' for the bootstrap credential). */
  reviewedById: string | null;
  reviewedAt: string | null;
  /** Changes handled so far, of `total` (cancellations, enrollments and unenrollments). */
  processed: number;
  total: number;
}

/** What a sync of one profile would do now, computed set-based by cypher/sync/compute-diff. */
export interface SyncDiff {
  profileId: string;
  enabled: boolean;
  mode: AutomationMode;
  pauseOnAnomalies: boolean;
  enrollmentEntitlementId: string;
  memberCount: number;
  toEnroll: string[];
  toUnenroll: string[];
  /** Open SYNC enrollment tasks of users who no longer match. */
  staleEnrollTasks: string[];
  /** Open SYNC unenrollment tasks of users who match again. */
  staleUnenrollTasks: string[];
  /** The safeguard's verdict. */
  wouldPause: boolean;
  pauseReason: string | null;
}

/**
 * What asking for a sync came to: its run (ended, or RUNNING for `start`), or why none started:
 * another sync of the profile holds the lease (`busy`), a paused run awaits review (`paused`), or
 * the automation is off (`disabled`). The GraphQL edge maps the refusals to error codes.
 */
export type SyncOutcome =
  | { kind: 'run'; run: SyncRunRecord }
  | { kind: 'busy'; runningRunId: string | null }
  | { kind: 'paused'; pausedRunId: string }
  | { kind: 'disabled' };

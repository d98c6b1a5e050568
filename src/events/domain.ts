/**
 * The domain events, one payload type per event type: what the workflow and the sync record on a
 * write's unit of work (`tx.unit.recordEvents`), and what subscribers and the webhook read back
 * from the log. The GraphQL enums TaskEventType and SyncEventType list the same types.
 */
import type { Role } from '../auth/viewer.js';
import type { SyncTrigger } from '../sync/records.js';
import type { TaskKind, TaskOrigin } from '../workflow/records.js';

/** What taskEvents delivers: a task's transitions, and the memberships its completion made or ended. */
export const TASK_EVENT_TYPES = [
  'TASK_CREATED',
  'TASK_STEP_APPROVED',
  'TASK_APPROVED',
  'TASK_DENIED',
  'TASK_PROVISIONING',
  'TASK_DONE',
  'TASK_FAILED',
  'TASK_CANCELLED',
  'MEMBER_ENROLLED',
  'MEMBER_UNENROLLED',
] as const;
/** What syncEvents delivers: a sync run's transitions and progress. */
export const SYNC_EVENT_TYPES = ['SYNC_STARTED', 'SYNC_PROGRESS', 'SYNC_COMPLETED', 'SYNC_PAUSED', 'SYNC_RESUMED', 'SYNC_DISCARDED', 'SYNC_FAILED'] as const;
/**
 * Internal: changes to a credential that open connections must follow (src/security/live.ts).
 * They carry no task and no run, so neither taskEvents nor syncEvents ever delivers them.
 */
export const CREDENTIAL_EVENT_TYPES = ['TOKEN_REVOKED', 'USER_ROLE_CHANGED', 'USER_DISABLED'] as const;
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];
export type CredentialEventType = (typeof CREDENTIAL_EVENT_TYPES)[number];
export type SyncEventType = (typeof SYNC_EVENT_TYPES)[number];

/** How many of a paused run's staged unenrollments the SYNC_PAUSED event names. */
export const PAUSED_USERS_NAMED = 5;

/** A user as an event names them for people: raw id (for the engine), external id, name and email. */
export interface StagedUserLabel {
  userId: string;
  externalId: string;
  displayName: string;
  email: string;
}

/** A reviewer's decision on one step. */
interface Decision {
  /** Null: the bootstrap admin credential, standing in for the admins. */
  byId: string | null;
  step: number;
  comment: string | null;
}

export interface TaskEventPayloads {
  /** Created: approved at once (a policy of no steps), or awaiting its first step's approvers. */
  TASK_CREATED:
    | { kind: TaskKind | string; origin: TaskOrigin | string; entitlementId: string; autoApproved: true }
    | { step: 0; approverIds: string[]; awaitingAdmins: boolean };
  TASK_STEP_APPROVED: Decision & { nextStep: number; approverIds: string[]; awaitingAdmins: boolean };
  TASK_APPROVED: Decision;
  TASK_DENIED: Decision;
  /** Approved, awaiting its MANUAL app's owners. */
  TASK_PROVISIONING: { provisionerIds: string[]; approverIds: string[] };
  TASK_DONE: { kind: TaskKind; entitlementId: string; byId?: string };
  TASK_FAILED: { byId: string | null; reason: string };
  TASK_CANCELLED: { reason: string; byId?: string };
  MEMBER_ENROLLED: null;
  MEMBER_UNENROLLED: null;
}

export interface SyncEventPayloads {
  SYNC_STARTED: { trigger: SyncTrigger };
  SYNC_PROGRESS: { processed: number; total: number; phase: 'cancel' | 'enroll' | 'unenroll'; enrolled: number; unenrolled: number; cancelled: number };
  SYNC_COMPLETED: { enrollTasksCreated: number; unenrollTasksCreated: number; cancelledTasks: number };
  SYNC_PAUSED: {
    reason: string | null;
    stagedUnenrollments: number;
    stagedEnrollments: number;
    memberCount: number;
    /** The profile's name when the run paused. */
    profileName: string | null;
    /** stagedUnenrollments as a share of memberCount, in percent with one decimal. */
    unenrollPercent: number;
    /** The first few users staged for unenrollment, readably (at most PAUSED_USERS_NAMED of them). */
    firstStaged: StagedUserLabel[];
  };
  SYNC_RESUMED: { by: string | null };
  SYNC_DISCARDED: { by: string | null };
  SYNC_FAILED: { reason: string };
}

export interface CredentialEventPayloads {
  /** One token of the user was revoked: its connections close. */
  TOKEN_REVOKED: { tokenId: string };
  /** The user's role changed: their connections see with the new role from the next event or operation. */
  USER_ROLE_CHANGED: { role: Role; previousRole: Role };
  /** The user was disabled (ingest): every connection of theirs closes. */
  USER_DISABLED: null;
}

/** An event about a task: its subject and the profile it is for (or, for MEMBER_*, the profile joined or left). */
export type TaskEvent = {
  [K in TaskEventType]: { type: K; taskId: string; userId: string; profileId: string | null; payload: TaskEventPayloads[K] };
}[TaskEventType];

/** An event about a sync run of a profile. */
export type SyncEvent = {
  [K in SyncEventType]: { type: K; runId: string; profileId: string; payload: SyncEventPayloads[K] };
}[SyncEventType];

/** An event about a user's credentials (internal). */
export type CredentialEvent = {
  [K in CredentialEventType]: { type: K; userId: string; profileId: null; payload: CredentialEventPayloads[K] };
}[CredentialEventType];

export type DomainEvent = TaskEvent | SyncEvent | CredentialEvent;

/** The event of type `type` about a task. */
export function taskEvent<K extends TaskEventType>(type: K, task: { id: string; userId: string; profileId: string | null }, payload: TaskEventPayloads[K]): TaskEvent {
  return { type, taskId: task.id, userId: task.userId, profileId: task.profileId, payload } as TaskEvent;
}

/** The event of type `type` about a sync run. */
export function syncEvent<K extends SyncEventType>(type: K, run: { runId: string; profileId: string }, payload: SyncEventPayloads[K]): SyncEvent {
  return { type, runId: run.runId, profileId: run.profileId, payload } as SyncEvent;
}

/** The event of type `type` about a user's credentials. */
export function credentialEvent<K extends CredentialEventType>(type: K, userId: string, payload: CredentialEventPayloads[K]): CredentialEvent {
  return { type, userId, profileId: null, payload } as CredentialEvent;
}

/** The sync engine's types: SyncRun, SyncDiff, pending enrollments, and the sync mutations (manual membership is membership.ts). */
import type { ObjectRef } from '@pothos/core';
import { builder } from '../builder.js';
import { AppError, conflict } from '../errors.js';
import { encodeGlobalId, rawIdOf } from '../ids.js';
import type { UserRecord } from '../directory/records.js';
import { loadAll, type LossesKey } from '../loaders.js';
import { SYNC_RUN_STATES, SYNC_TRIGGERS, type SyncOutcome, type SyncRunRecord } from '../sync/records.js';
import { pageOf, toConnection, type ConnectionResult } from './connection.js';
import { AccessProfileRef, EntitlementRef, TaskConnection, UserConnection, UserRef } from './refs.js';

export const SyncTriggerEnum = builder.enumType('SyncTrigger', { values: SYNC_TRIGGERS });
export const SyncRunStateEnum = builder.enumType('SyncRunState', { values: SYNC_RUN_STATES });

export const SyncRunRef = builder.objectRef<SyncRunRecord>('SyncRun');

export const SyncProgressRef = builder.objectRef<{ processed: number; total: number }>('SyncProgress').implement({
  description: 'How far a sync run is: the changes handled (cancellations, enrollments, unenrollments) of those it will handle',
  fields: (t) => ({ processed: t.exposeInt('processed'), total: t.exposeInt('total') }),
});

/** A diff as GraphQL shows it: the users to enroll and to unenroll, and the safeguard's verdict. */
export interface SyncDiffView {
  toEnroll: string[];
  toUnenroll: string[];
  wouldPause: boolean;
  memberCount: number;
  pauseReason: string | null;
  toCancel: number | null;
  /** The profile the diff is of (what its unenrollment action revokes). */
  profileId: string;
  /** Whether what the users to unenroll would lose means anything now: a preview, or a run still PAUSED. */
  lossesApply: boolean;
}
export const SyncDiffRef = builder.objectRef<SyncDiffView>('SyncDiff');

/** One user of a diff, readably; `losses` is set for a user to unenroll while what they would lose applies. */
interface StagedUserView {
  user: UserRecord;
  losses: LossesKey | null;
}
const StagedUserRef = builder.objectRef<StagedUserView>('StagedUser');
interface PendingEnrollmentsView {
  profileId: string;
}
const PendingEnrollmentsRef = builder.objectRef<PendingEnrollmentsView>('PendingEnrollments');

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
const SyncRunConnection = builder.connectionObject({ type: SyncRunRef, name: 'SyncRunConnection' }, { name: 'SyncRunEdge' }) as unknown as ObjectRef<
  Types,
  ConnectionResult<SyncRunRecord>
>;

// ------------------------------------------------------------------ types

builder.node(SyncRunRef, {
  id: { resolve: (run) => run.id },
  authScopes: { readAll: true },
  loadMany: (ids, context) => Promise.all(ids.map((id) => context.loaders.syncRun.load(id))),
  fields: (t) => ({
    profile: t.field({ type: AccessProfileRef, resolve: async (run, _args, context) => (await context.loaders.profile.load(run.profileId))! }),
    trigger: t.field({ type: SyncTriggerEnum, resolve: (run) => run.trigger }),
    state: t.field({ type: SyncRunStateEnum, resolve: (run) => run.state }),
    startedAt: t.field({ type: 'DateTime', resolve: (run) => run.startedAt }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (run) => run.finishedAt }),
    staged: t.field({
      type: SyncDiffRef,
      nullable: true,
      description: 'The staged changes of a run the safeguard paused (kept after it is resumed or discarded)',
      resolve: async (run, _args, context) => {
        if (run.pausedAt === null && run.state !== 'PAUSED') return null;
        const staged = await context.loaders.stagedOfRun.load(run.id);
        return {
          ...staged,
          wouldPause: true,
          memberCount: run.memberCount ?? 0,
          pauseReason: run.pauseReason,
          toCancel: null,
          profileId: run.profileId,
          lossesApply: run.state === 'PAUSED',
        };
      },
    }),
    enrollTasksCreated: t.exposeInt('enrollTasksCreated'),
    unenrollTasksCreated: t.exposeInt('unenrollTasksCreated'),
    cancelledTasks: t.exposeInt('cancelledTasks'),
    memberCount: t.int({ nullable: true, description: 'Members when the diff was computed', resolve: (run) => run.memberCount }),
    pauseReason: t.exposeString('pauseReason', { nullable: true }),
    failReason: t.exposeString('failReason', { nullable: true }),
    reviewedBy: t.field({
      type: UserRef,
      nullable: true,
      description: 'The admin who resumed or discarded the paused run (null for the bootstrap admin token)',
      resolve: (run, _args, context) => (run.reviewedById && run.reviewedById !== 'ADMIN_TOKEN' ? context.loaders.user.load(run.reviewedById) : null),
    }),
    reviewedByAdminToken: t.boolean({ description: 'Resumed or discarded with the bootstrap ADMIN_TOKEN', resolve: (run) => run.reviewedById === 'ADMIN_TOKEN' }),
    reviewedAt: t.field({ type: 'DateTime', nullable: true, resolve: (run) => run.reviewedAt }),
    progress: t.field({
      type: SyncProgressRef,
      description: 'How far the run is: the changes handled (cancellations, enrollments, unenrollments) of those it will handle',
      resolve: (run) => ({ processed: run.processed, total: run.total }),
    }),
  }),
});

SyncDiffRef.implement({
  fields: (t) => ({
    toEnroll: t.field({ type: [UserRef], resolve: (d, _args, context) => loadAll(context.loaders.user, d.toEnroll) }),
    toUnenroll: t.field({ type: [UserRef], resolve: (d, _args, context) => loadAll(context.loaders.user, d.toUnenroll) }),
    toEnrollCount: t.int({ resolve: (d) => d.toEnroll.length }),
    toUnenrollCount: t.int({ resolve: (d) => d.toUnenroll.length }),
    toCancelCount: t.int({ nullable: true, description: 'Stale pending sync tasks a sync would cancel', resolve: (d) => d.toCancel }),
    wouldPause: t.exposeBoolean('wouldPause'),
    pauseReason: t.exposeString('pauseReason', { nullable: true }),
    memberCount: t.exposeInt('memberCount'),
    enrollments: t.field({
      type: [StagedUserRef],
      authScopes: { readAll: true },
      description: 'The users to enroll, readably (the same users as toEnroll, in the same order)',
      resolve: async (d, _args, context) => (await loadAll(context.loaders.user, d.toEnroll)).map((user) => ({ user, losses: null })),
    }),
    unenrollments: t.field({
      type: [StagedUserRef],
      authScopes: { readAll: true },
      description:
        "The users to unenroll, readably (the same users as toUnenroll, in the same order), each with the access the profile's unenrollment action would revoke",
      resolve: async (d, _args, context) => {
        const losses = d.lossesApply ? { profileId: d.profileId, userIds: d.toUnenroll } : null;
        return (await loadAll(context.loaders.user, d.toUnenroll)).map((user) => ({ user, losses }));
      },
    }),
  }),
});

StagedUserRef.implement({
  description: 'A user a sync would enroll or unenroll, with what a reviewer needs to recognise them',
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (s) => s.user }),
    externalId: t.string({ resolve: (s) => s.user.externalId }),
    displayName: t.string({ resolve: (s) => s.user.displayName }),
    email: t.string({ resolve: (s) => s.user.email }),
    accessToLose: t.field({
      type: [EntitlementRef],
      nullable: true,
      description:
        "What the unenrollment would revoke under the profile's unenrollment action, as the graph is now (REVOKE_ALL: every item held through the profile; REVOKE_UNJUSTIFIED: those not also held directly or through another profile the user stays in; LEAVE_AS_IS and SYNC_MEMBERS_ONLY: nothing). Null for a user to enroll and once the run is no longer PAUSED",
      resolve: async (s, _args, context) => (s.losses ? loadAll(context.loaders.entitlement, (await context.loaders.unenrollmentLosses.load(s.losses)).get(s.user.id) ?? []) : null),
    }),
    accessToLoseCount: t.int({
      nullable: true,
      description: 'How many entitlements accessToLose lists (null when it is null)',
      resolve: async (s, _args, context) => (s.losses ? ((await context.loaders.unenrollmentLosses.load(s.losses)).get(s.user.id) ?? []).length : null),
    }),
  }),
});

PendingEnrollmentsRef.implement({
  fields: (t) => ({
    count: t.int({
      resolve: async (p, _args, context) => (await context.loaders.pendingEnrollmentUsers.load({ parentId: p.profileId, after: null, limit: 0 })).total,
    }),
    users: t.field({
      type: UserConnection,
      args: { first: t.arg.int(), after: t.arg.string() },
      resolve: async (p, args, context) => {
        const { first, after, limit } = pageOf(args, context);
        const page = await context.loaders.pendingEnrollmentUsers.load({ parentId: p.profileId, after, limit });
        return toConnection(await loadAll(context.loaders.user, page.ids), first, page.total, (u) => u.id, after !== null);
      },
    }),
    tasks: t.field({
      type: TaskConnection,
      args: { first: t.arg.int(), after: t.arg.string() },
      resolve: async (p, args, context) => {
        const { first, after, limit } = pageOf(args, context);
        const page = await context.loaders.pendingEnrollmentTasks.load({ parentId: p.profileId, after, limit });
        return toConnection(await loadAll(context.loaders.task, page.ids), first, page.total, (task) => task.id, after !== null);
      },
    }),
  }),
});

builder.objectFields(AccessProfileRef, (t) => ({
  pendingEnrollments: t.field({
    nullable: true,
    type: PendingEnrollmentsRef,
    authScopes: { readAll: true },
    description: 'Users awaiting enrollment (an open enrollment task), and those tasks',
    resolve: (p) => ({ profileId: p.id }),
  }),
  syncRuns: t.field({
    nullable: true,
    type: SyncRunConnection,
    authScopes: { readAll: true },
    description: 'The sync runs of this profile, newest first',
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: async (p, args, context) => {
      const { first, after, limit } = pageOf(args, context);
      const page = await context.loaders.runsOfProfile.load({ parentId: p.id, after, limit });
      return toConnection(await loadAll(context.loaders.syncRun, page.ids), first, page.total, (r) => r.id, after !== null);
    },
  }),
  pausedSync: t.field({
    type: SyncRunRef,
    nullable: true,
    authScopes: { readAll: true },
    description: 'The sync the safeguard paused, awaiting review (resumeSync or discardSync)',
    resolve: async (p, _args, context) => {
      const [id] = await context.loaders.pausedRunsOfProfile.load(p.id);
      return id ? context.loaders.syncRun.load(id) : null;
    },
  }),
  previewSync: t.field({
    nullable: true,
    type: SyncDiffRef,
    authScopes: { readAll: true },
    description: 'What a sync would do now, and whether the safeguard would pause it; changes nothing',
    resolve: async (p, _args, context) => {
      const diff = await context.services.sync.diff(p.id);
      return {
        toEnroll: diff.toEnroll,
        toUnenroll: diff.toUnenroll,
        wouldPause: diff.wouldPause,
        memberCount: diff.memberCount,
        pauseReason: diff.pauseReason,
        toCancel: diff.staleEnrollTasks.length + diff.staleUnenrollTasks.length,
        profileId: p.id,
        lossesApply: true,
      };
    },
  }),
}));

// ------------------------------------------------------------------ mutations

/** The `reason` of the CONFLICT a sync gets when another holds the profile's lease. */
export const SYNC_RUNNING = 'SYNC_RUNNING';

/** A sync's outcome as the API answers it: the run, or the error code of why none started. */
function runOrRefusal(outcome: SyncOutcome): SyncRunRecord {
  switch (outcome.kind) {
    case 'run':
      return outcome.run;
    case 'busy':
      throw conflict('A sync of this profile is already running', {
        reason: SYNC_RUNNING,
        syncRunId: outcome.runningRunId ? encodeGlobalId('SyncRun', outcome.runningRunId) : null,
      });
    case 'paused':
      throw new AppError('SAFEGUARD_PAUSED', 'A paused sync of this profile awaits review: resume or discard it first', {
        syncRunId: encodeGlobalId('SyncRun', outcome.pausedRunId),
      });
    case 'disabled':
      throw conflict('The membership automation of this profile is disabled');
  }
}

builder.mutationFields((t) => ({
  syncNow: t.field({
    type: SyncRunRef,
    authScopes: { admin: true },
    description: 'Starts a sync of the profile and returns its run at once (RUNNING; follow it on syncEvents or SyncRun.progress). While a sync of the profile runs, returns that run (a change made meanwhile gets a further pass); SAFEGUARD_PAUSED while a paused run awaits review',
    args: { profileId: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => runOrRefusal(await context.services.sync.start(rawIdOf('AccessProfile', String(args.profileId)), 'MANUAL', context.viewer)),
  }),
  resumeSync: t.field({
    type: SyncRunRef,
    authScopes: { admin: true },
    description: "Applies a paused run's staged changes, each rechecked against the graph as it is now",
    args: { syncRunId: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => runOrRefusal(await context.services.sync.resume(rawIdOf('SyncRun', String(args.syncRunId)), context.viewer)),
  }),
  discardSync: t.field({
    type: SyncRunRef,
    authScopes: { admin: true },
    description: "Drops a paused run's staged changes; automatic syncs of the profile go on",
    args: { syncRunId: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => context.services.sync.discard(rawIdOf('SyncRun', String(args.syncRunId)), context.viewer),
  }),
}));

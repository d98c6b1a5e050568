/**
 * Live events over graphql-ws: `taskEvents` and `syncEvents`, resumable by cursor. Who may see
 * what is decided on subscribe and again for each event (src/events/stream.ts does the delivery).
 */
import { initContextCache } from '@pothos/core';
import { SYNC_EVENT_TYPES, TASK_EVENT_TYPES, type SyncEventType, type TaskEventType } from '../events/log.js';
import { canReadAll, hasScope, type Viewer } from '../auth/viewer.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { forbidden, notFound } from '../errors.js';
import { encodeGlobalId, rawIdOf } from '../ids.js';
import { createLoaders } from '../loaders.js';
import { approverIdsOf, isSyncEvent, isTaskEvent, progressOf, stagedRemovalsOf, type Delivery } from '../events/records.js';
import { isEventContext } from '../events/live-results.js';
import { cursorOf, seqOfCursor } from '../events/stream.js';
import { AccessProfileRef, TaskRef } from './refs.js';
import { SyncProgressRef, SyncRunRef } from './sync.js';
import { canSeeTask, isAssignedToDecide, isAssignedToProvision } from '../workflow/rules.js';

const TaskEventTypeEnum = builder.enumType('TaskEventType', {
  description: 'What happened to a task (MEMBER_*: the membership its completion made or ended)',
  values: TASK_EVENT_TYPES,
});
const SyncEventTypeEnum = builder.enumType('SyncEventType', { description: 'What happened to a sync run', values: SYNC_EVENT_TYPES });

export const TaskEventRef = builder.objectRef<Delivery>('TaskEvent');
export const SyncEventRef = builder.objectRef<Delivery>('SyncEvent');

TaskEventRef.implement({
  description: 'Something happened to a task (TASK_CREATED ... TASK_CANCELLED, MEMBER_ENROLLED, MEMBER_UNENROLLED)',
  fields: (t) => ({
    cursor: t.string({ description: 'Pass as `after` to resume right after this event', resolve: (d) => cursorOf(d.event.seq) }),
    type: t.field({ type: TaskEventTypeEnum, resolve: (d) => d.event.type as TaskEventType }),
    at: t.field({ type: 'DateTime', resolve: (d) => d.event.at }),
    task: t.field({
      type: TaskRef,
      description: 'The task as it is now (it may have moved on since the event)',
      resolve: async (d, _args, context) => (d.task ?? (await context.loaders.task.load(d.event.taskId!)))!,
    }),
    profile: t.field({
      type: AccessProfileRef,
      nullable: true,
      resolve: (d, _args, context) => (d.event.profileId ? context.loaders.profile.load(d.event.profileId) : null),
    }),
  }),
});

SyncEventRef.implement({
  description: 'Something happened to a sync run (SYNC_STARTED, SYNC_PROGRESS, SYNC_COMPLETED, SYNC_PAUSED, SYNC_RESUMED, SYNC_DISCARDED, SYNC_FAILED)',
  fields: (t) => ({
    cursor: t.string({ description: 'Pass as `after` to resume right after this event', resolve: (d) => cursorOf(d.event.seq) }),
    type: t.field({ type: SyncEventTypeEnum, resolve: (d) => d.event.type as SyncEventType }),
    at: t.field({ type: 'DateTime', resolve: (d) => d.event.at }),
    runId: t.id({ description: 'The id of the SyncRun the event is about', resolve: (d) => encodeGlobalId('SyncRun', d.event.runId!) }),
    run: t.field({
      type: SyncRunRef,
      description: 'The sync run as it is now',
      resolve: async (d, _args, context) => {
        const run = await context.loaders.syncRun.load(d.event.runId!);
        if (!run) throw notFound('The sync run of this event no longer exists');
        return run;
      },
    }),
    profile: t.field({
      type: AccessProfileRef,
      nullable: true,
      resolve: (d, _args, context) => (d.event.profileId ? context.loaders.profile.load(d.event.profileId) : null),
    }),
    progress: t.field({ type: SyncProgressRef, nullable: true, description: 'On SYNC_PROGRESS', resolve: (d) => progressOf(d.event) }),
    stagedUnenrollments: t.int({ nullable: true, description: 'On SYNC_PAUSED: unenrollments staged for review', resolve: (d) => stagedRemovalsOf(d.event) }),
    reason: t.string({
      nullable: true,
      description: 'On SYNC_FAILED: why the run failed; on SYNC_PAUSED: why the safeguard paused it',
      resolve: (d) => (typeof d.event.payload?.reason === 'string' ? d.event.payload.reason : null),
    }),
  }),
});

/**
 * May this viewer see this task event: whoever may see the task as it is now (its subject, its
 * requester, those who decided, may decide or may provision it: canSeeTask), and readers of
 * everything. An event whose task cannot be read is not delivered (its `task` could not resolve).
 */
export function maySeeTaskEvent(viewer: Viewer | null, delivery: Delivery): boolean {
  if (viewer === null || delivery.task === null) return false;
  return canReadAll(viewer) || canSeeTask(viewer, delivery.task);
}

/**
 * Assigned to the viewer: the event names them among the approvers, or they may decide or
 * provision the task now, or they decided it (so the event that takes it off their list reaches them).
 */
export function isAssignedTo(viewer: Viewer | null, delivery: Delivery): boolean {
  const userId = viewer?.userId ?? null;
  if (userId === null) return false;
  const task = delivery.task;
  return (
    approverIdsOf(delivery.event).includes(userId) ||
    (task !== null && (isAssignedToDecide(viewer, task) || isAssignedToProvision(viewer, task) || (task.deciderIds ?? []).includes(userId)))
  );
}

/**
 * The viewer as it is now: on a WebSocket or SSE stream, its connection's (a changed role
 * applies, a revoked token or disabled user is null: src/security/live.ts); else the request's.
 */
function viewerNow(context: Context): Viewer | null {
  return context.connection ? context.connection.viewer : context.viewer;
}

/**
 * Each event runs with fresh loaders and as the viewer is now: a subscription lives long, what it
 * shows must be current. The scope-auth plugin caches scopes per context: a new cache key makes
 * the event's fields judged by the current role too. An event ending the stream throws its refusal.
 */
function freshContext(delivery: Delivery, context: Context): Delivery {
  if (delivery.refusal) throw delivery.refusal;
  // A shared execution's context was made for this event and this viewer (src/events/live-results.ts).
  if (isEventContext(context)) return delivery;
  context.loaders = createLoaders(context.services.db);
  context.viewer = viewerNow(context);
  Object.assign(context, initContextCache());
  return delivery;
}

const afterSeq = (after: string | null | undefined): number | null => (after ? seqOfCursor(after) : null);

builder.subscriptionType({ authScopes: { authenticated: true } });

builder.subscriptionFields((t) => ({
  taskEvents: t.field({
    type: TaskEventRef,
    description: 'Task events the viewer may see, live; with `after`, everything since that cursor first, with nothing lost or repeated',
    args: {
      profileId: t.arg.id(),
      userId: t.arg.id(),
      assignedToViewer: t.arg.boolean({ description: 'Only tasks the viewer may decide (as the event names their approvers)' }),
      after: t.arg.string(),
    },
    subscribe: async (_root, args, context) => {
      const viewer = viewerNow(context);
      if (!canReadAll(viewer) && !hasScope(viewer, 'read') && !hasScope(viewer, 'review') && !hasScope(viewer, 'provision')) {
        throw forbidden('Task events need the read, review or provision scope');
      }
      const profileId = args.profileId ? rawIdOf('AccessProfile', String(args.profileId)) : null;
      const userId = args.userId ? rawIdOf('User', String(args.userId)) : null;
      const assigned = args.assignedToViewer === true;
      const after = afterSeq(args.after);
      const subscription = await context.services.eventStream.subscribe(after, (d) => {
        if (!isTaskEvent(d.event)) return false;
        if (profileId !== null && (d.event.profileId ?? d.task?.profileId) !== profileId) return false;
        if (userId !== null && (d.event.userId ?? d.task?.userId) !== userId) return false;
        // Judged as the viewer is now: after a demotion, only what the new role may see.
        const current = viewerNow(context);
        if (assigned && !isAssignedTo(current, d)) return false;
        return maySeeTaskEvent(current, d);
      });
      context.connection?.track(subscription);
      return subscription;
    },
    resolve: (delivery, _args, context) => freshContext(delivery, context),
  }),
  syncEvents: t.field({
    type: SyncEventRef,
    description: 'Sync run events (admins and auditors), live; with `after`, everything since that cursor first',
    args: { profileId: t.arg.id(), after: t.arg.string() },
    subscribe: async (_root, args, context) => {
      if (!canReadAll(viewerNow(context))) throw forbidden('Sync events are for admins and auditors');
      const profileId = args.profileId ? rawIdOf('AccessProfile', String(args.profileId)) : null;
      const after = afterSeq(args.after);
      const subscription = await context.services.eventStream.subscribe(after, (d) => {
        if (!isSyncEvent(d.event) || (profileId !== null && d.event.profileId !== profileId)) return false;
        // A viewer demoted since subscribing may see no sync event: the stream ends with FORBIDDEN.
        if (!canReadAll(viewerNow(context))) throw forbidden('Sync events are for admins and auditors (the role changed)');
        return true;
      });
      context.connection?.track(subscription);
      return subscription;
    },
    resolve: (delivery, _args, context) => freshContext(delivery, context),
  }),
}));

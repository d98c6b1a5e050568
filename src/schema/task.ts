import { canReadAll, canReadUser } from '../auth/viewer.js';
import { builder } from '../builder.js';
import { forbidden } from '../errors.js';
import { rawIdOf } from '../ids.js';
import { loadAll } from '../loaders.js';
import type { TaskRecord } from '../tasks/records.js';
import { pageOf, toConnection } from './connection.js';
import { AccessProfileRef, EntitlementRef, TaskConnection, TaskRef, UserRef } from './refs.js';

export const TaskKind = builder.enumType('TaskKind', { values: ['GRANT', 'REVOKE'] as const });
export const TaskState = builder.enumType('TaskState', {
  values: ['PENDING_APPROVAL', 'PENDING_PROVISIONING', 'DONE', 'DENIED', 'CANCELLED', 'FAILED'] as const,
});
export const TaskOrigin = builder.enumType('TaskOrigin', {
  values: ['SYNC', 'MANUAL_ENROLLMENT', 'SELF_SERVICE', 'PROFILE_ENROLLMENT', 'PROFILE_UNENROLLMENT', 'PROFILE_ITEM_ADDED', 'PROFILE_ITEM_REMOVED', 'EXCLUSION', 'ADMIN'] as const,
});

/** Who may see a task: its subject, and those who read everything (the workflow widens this to its deciders). */
export function canSeeTask(context: { viewer: Parameters<typeof canReadAll>[0] }, task: TaskRecord): boolean {
  return canReadUser(context.viewer, task.userId);
}

builder.node(TaskRef, {
  id: { resolve: (task) => task.id },
  authScopes: (task, context) => canSeeTask(context, task),
  loadMany: (ids, context) => Promise.all(ids.map((id) => context.loaders.task.load(id))),
  fields: (t) => ({
    kind: t.field({ type: TaskKind, resolve: (task) => task.kind }),
    state: t.field({ type: TaskState, resolve: (task) => task.state }),
    origin: t.field({ type: TaskOrigin, resolve: (task) => task.origin }),
    user: t.field({ type: UserRef, resolve: async (task, _args, context) => (await context.loaders.user.load(task.userId))! }),
    entitlement: t.field({ type: EntitlementRef, resolve: async (task, _args, context) => (await context.loaders.entitlement.load(task.entitlementId))! }),
    profile: t.field({
      type: AccessProfileRef,
      nullable: true,
      resolve: (task, _args, context) => (task.profileId ? context.loaders.profile.load(task.profileId) : null),
    }),
    parent: t.field({ type: TaskRef, nullable: true, resolve: (task, _args, context) => (task.parentId ? context.loaders.task.load(task.parentId) : null) }),
    createdAt: t.field({ type: 'DateTime', resolve: (task) => task.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (task) => task.updatedAt }),
    reason: t.exposeString('reason', { nullable: true }),
  }),
});

builder.queryFields((t) => ({
  tasks: t.field({
    type: TaskConnection,
    description: 'Tasks, filtered; a user without read-all sees only their own',
    args: {
      first: t.arg.int(),
      after: t.arg.string(),
      states: t.arg({ type: [TaskState] }),
      profileId: t.arg.id(),
      userId: t.arg.id(),
    },
    resolve: async (_root, args, context) => {
      const { first, after, limit } = pageOf(args, context);
      let userId = args.userId ? rawIdOf('User', String(args.userId)) : null;
      if (!canReadAll(context.viewer)) {
        if (userId !== null && userId !== context.viewer?.userId) throw forbidden('You may only list your own tasks');
        userId = context.viewer?.userId ?? null;
        if (userId === null) throw forbidden();
      }
      const filters = {
        states: args.states ?? null,
        profileId: args.profileId ? rawIdOf('AccessProfile', String(args.profileId)) : null,
        userId,
      };
      const { ids, total } = await context.services.db.read(async (tx) => ({
        ids: (await tx.run<{ id: string }>('tasks/list-tasks', { ...filters, after, limit })).map((r) => r.id),
        total: (await tx.one<{ total: number }>('tasks/count-tasks', filters))?.total ?? 0,
      }));
      return toConnection(await loadAll(context.loaders.task, ids), first, total, (task) => task.id, after !== null);
    },
  }),
}));

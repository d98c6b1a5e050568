import { canReadAll, canReadUser, hasScope } from '../auth/viewer.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import type { TaskFilters } from '../workflow/tasks.js';
import { forbidden } from '../errors.js';
import { rawIdOf } from '../ids.js';
import { loadAll, type ApprovalRow } from '../loaders.js';
import { canSeeTask, inboxOf } from '../workflow/rules.js';
import { pageOf, toConnection } from './connection.js';
import { AccessProfileRef, EntitlementRef, TaskConnection, TaskRef, UserRef } from './refs.js';

export const TaskKind = builder.enumType('TaskKind', { values: ['GRANT', 'REVOKE'] as const });
export const TaskState = builder.enumType('TaskState', {
  values: ['PENDING_APPROVAL', 'PENDING_PROVISIONING', 'DONE', 'DENIED', 'CANCELLED', 'FAILED'] as const,
});
export const TaskOrigin = builder.enumType('TaskOrigin', {
  values: ['SYNC', 'MANUAL_ENROLLMENT', 'SELF_SERVICE', 'PROFILE_ENROLLMENT', 'PROFILE_UNENROLLMENT', 'PROFILE_ITEM_ADDED', 'PROFILE_ITEM_REMOVED', 'EXCLUSION', 'ADMIN', 'PROFILE_MISSING_ACCESS'] as const,
});

const TaskApprovalRef = builder.objectRef<ApprovalRow>('TaskApproval').implement({
  description: "One reviewer's decision on one step of a task",
  fields: (t) => ({
    approver: t.field({
      type: UserRef,
      nullable: true,
      description: 'Who decided; null when the bootstrap admin credential did (byAdminToken)',
      resolve: async (a, _args, context) => (a.approverId === null ? null : context.loaders.user.load(a.approverId)),
    }),
    byAdminToken: t.exposeBoolean('byAdminToken', {
      description: 'Decided with the bootstrap admin credential, standing in for the admins while no user held the ADMIN role',
    }),
    approved: t.exposeBoolean('approved'),
    comment: t.exposeString('comment', { nullable: true }),
    at: t.field({ type: 'DateTime', resolve: (a) => a.at }),
    step: t.exposeInt('step', { description: 'The policy step decided (0 = the first)' }),
  }),
});

builder.node(TaskRef, {
  id: { resolve: (task) => task.id },
  authScopes: (task, context) => canSeeTask(context.viewer, task),
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
    children: t.field({
      type: [TaskRef],
      description: 'The tasks this one started (the items of an enrollment, the revocations of an unenrollment) that the viewer may see',
      resolve: async (task, _args, context) => {
        const children = await loadAll(context.loaders.task, await context.loaders.childrenOfTask.load(task.id));
        return children.filter((child) => canSeeTask(context.viewer, child));
      },
    }),
    currentStep: t.int({
      nullable: true,
      description: 'The policy step awaiting a decision (0 = the first); null unless PENDING_APPROVAL',
      resolve: (task) => (task.state === 'PENDING_APPROVAL' ? (task.currentStep ?? 0) : null),
    }),
    approvers: t.field({
      type: [UserRef],
      description:
        "Whom it waits on now: the current step's approvers, or the admins when the step resolved to nobody (admins may also decide any open step)",
      resolve: async (task, _args, context) => {
        if (task.state !== 'PENDING_APPROVAL') return [];
        const ids = task.awaitingAdmins ? (await context.loaders.adminIds.load('admins')).filter((id) => id !== task.userId) : task.approverIds;
        return loadAll(context.loaders.user, ids);
      },
    }),
    provisioners: t.field({
      type: [UserRef],
      description: 'Whom it waits on to be provisioned: the owners of its MANUAL app (admins always may); empty otherwise',
      resolve: (task, _args, context) => (task.state === 'PENDING_PROVISIONING' && task.manualProvisioning ? loadAll(context.loaders.user, task.provisionerIds) : []),
    }),
    approvals: t.field({
      type: [TaskApprovalRef],
      description: 'The decisions recorded on it, in order',
      resolve: (task, _args, context) => context.loaders.approvalsOfTask.load(task.id),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (task) => task.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (task) => task.updatedAt }),
    reason: t.exposeString('reason', { nullable: true }),
    closeReason: t.exposeString('closeReason', { nullable: true, description: 'Why it was denied, failed or cancelled' }),
  }),
});

async function listTasks(context: Context, filters: TaskFilters, args: { first?: number | null; after?: string | null }) {
  const { first, after, limit } = pageOf(args, context);
  const { ids, total } = await context.services.tasks.list(filters, after, limit);
  return toConnection(await loadAll(context.loaders.task, ids), first, total, (task) => task.id, after !== null);
}

builder.queryFields((t) => ({
  tasks: t.field({
    type: TaskConnection,
    description:
      'Tasks, filtered. assignedToViewer: only those the viewer may decide or provision now (the reviewer\'s inbox). Without read-all, a user lists their own tasks or their inbox',
    args: {
      first: t.arg.int(),
      after: t.arg.string(),
      states: t.arg({ type: [TaskState] }),
      profileId: t.arg.id(),
      userId: t.arg.id(),
      assignedToViewer: t.arg.boolean(),
    },
    resolve: async (_root, args, context) => {
      const viewer = context.viewer!;
      let userId = args.userId ? rawIdOf('User', String(args.userId)) : null;
      const assigned = args.assignedToViewer === true;
      if (!canReadAll(viewer) && !assigned) {
        if (userId !== null && userId !== viewer.userId) throw forbidden('You may only list your own tasks');
        if (viewer.userId === null || !hasScope(viewer, 'read')) throw forbidden('Listing your tasks needs a user token with scope read');
        userId = viewer.userId;
      }
      if (assigned && !canReadAll(viewer) && !hasScope(viewer, 'review') && !hasScope(viewer, 'provision') && !hasScope(viewer, 'read')) throw forbidden('The inbox needs scope read, review or provision');
      return listTasks(
        context,
        {
          states: args.states ?? null,
          profileId: args.profileId ? rawIdOf('AccessProfile', String(args.profileId)) : null,
          userId,
          assignedTo: assigned ? inboxOf(viewer, (await context.loaders.adminIds.load('admins')).length > 0) : null,
        },
        args,
      );
    },
  }),
}));

builder.objectField(UserRef, 'tasks', (t) =>
  t.field({
    type: TaskConnection,
    nullable: true,
    description: "The tasks about the user's access; the user themself, admins and auditors may read them",
    args: { first: t.arg.int(), after: t.arg.string(), states: t.arg({ type: [TaskState] }) },
    authScopes: (user, _args, context) => canReadUser(context.viewer, user.id),
    resolve: (user, args, context) => listTasks(context, { states: args.states ?? null, profileId: null, userId: user.id, assignedTo: null }, args),
  }),
);

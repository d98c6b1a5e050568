/**
 * The access workflow's mutations: self-service requests, reviewers' decisions, provisioning and
 * cancellation. Each returns the task as it is after the change.
 */
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { rawIdOf } from '../ids.js';
import type { TaskRecord } from '../workflow/records.js';
import { TaskRef } from './refs.js';

/**
 * The task after the mutation: as its transaction committed it when the service read it there
 * (primed into the request's loader, so the answer costs no read), else read again.
 */
async function reloadTask(context: Context, id: string, committed: TaskRecord | null = null): Promise<TaskRecord> {
  context.loaders.task.clear(id);
  if (committed) {
    context.loaders.task.prime(id, committed);
    return committed;
  }
  return (await context.loaders.task.load(id))!;
}

const taskIdOf = (id: string | number) => rawIdOf('Task', String(id));

builder.mutationFields((t) => ({
  requestAccess: t.field({
    type: TaskRef,
    description:
      "The viewer asks for an entitlement (or, when the profile allows it, a profile's enrollment entitlement); returns the task, or the open one that already asks for it",
    authScopes: { scope: 'request' },
    args: { entitlementId: t.arg.id({ required: true }), reason: t.arg.string() },
    resolve: async (_root, args, context) => {
      const entitlementId = rawIdOf('Entitlement', String(args.entitlementId));
      return reloadTask(context, await context.services.workflow.requestAccess(context.viewer!, entitlementId, args.reason ?? null));
    },
  }),
  approveTask: t.field({
    type: TaskRef,
    description: "Approves the task's current step (an approver of that step, or an admin); the last step's approval sends it to provisioning",
    authScopes: { scope: 'review' },
    args: { taskId: t.arg.id({ required: true }), comment: t.arg.string() },
    resolve: async (_root, args, context) => {
      const id = taskIdOf(args.taskId);
      const committed = await context.services.workflow.decide(context.viewer!, id, true, args.comment ?? null);
      return reloadTask(context, id, committed);
    },
  }),
  denyTask: t.field({
    type: TaskRef,
    description: 'Denies the task: it ends DENIED',
    authScopes: { scope: 'review' },
    args: { taskId: t.arg.id({ required: true }), comment: t.arg.string() },
    resolve: async (_root, args, context) => {
      const id = taskIdOf(args.taskId);
      const committed = await context.services.workflow.decide(context.viewer!, id, false, args.comment ?? null);
      return reloadTask(context, id, committed);
    },
  }),
  completeProvisioning: t.field({
    type: TaskRef,
    description: "The change was carried out in the app (an owner of the task's MANUAL app, or an admin): the task is DONE",
    authScopes: { scope: 'provision' },
    args: { taskId: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => {
      const id = taskIdOf(args.taskId);
      const committed = await context.services.workflow.completeProvisioning(context.viewer!, id);
      return reloadTask(context, id, committed);
    },
  }),
  failProvisioning: t.field({
    type: TaskRef,
    description: 'The change could not be carried out: the task ends FAILED with the reason',
    authScopes: { scope: 'provision' },
    args: { taskId: t.arg.id({ required: true }), reason: t.arg.string({ required: true }) },
    resolve: async (_root, args, context) => {
      const id = taskIdOf(args.taskId);
      const committed = await context.services.workflow.failProvisioning(context.viewer!, id, args.reason);
      return reloadTask(context, id, committed);
    },
  }),
  cancelTask: t.field({
    type: TaskRef,
    description: 'Withdraws an open task (its requester, the subject of a self-service request, or an admin)',
    // Withdrawing a request is a change: the request scope (not read, not ingest), or an admin.
    authScopes: { $any: { admin: true, scope: 'request' } },
    args: { taskId: t.arg.id({ required: true }), reason: t.arg.string() },
    resolve: async (_root, args, context) => {
      const id = taskIdOf(args.taskId);
      const committed = await context.services.workflow.cancel(context.viewer!, id, args.reason ?? null);
      return reloadTask(context, id, committed);
    },
  }),
}));

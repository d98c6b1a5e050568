import { builder } from '../builder.js';
import type { PolicyStep } from '../directory/records.js';
import { rawIdOf } from '../ids.js';
import { loadAll } from '../loaders.js';
import { PolicyRef, UserRef } from './refs.js';

export const ApproverType = builder.enumType('ApproverType', { values: ['MANAGER', 'APP_OWNERS', 'USERS'] as const });

const PolicyStepRef = builder.objectRef<PolicyStep>('PolicyStep').implement({
  fields: (t) => ({
    approverType: t.field({ type: ApproverType, resolve: (s) => s.approverType }),
    approvers: t.field({
      type: [UserRef],
      description: 'The named approvers of a USERS step (manager and app owners are resolved per task)',
      resolve: (s, _args, context) => loadAll(context.loaders.user, s.userIds),
    }),
  }),
});

builder.node(PolicyRef, {
  id: { resolve: (p) => p.id },
  loadMany: (ids, context) => Promise.all(ids.map((id) => context.loaders.policy.load(id))),
  fields: (t) => ({
    name: t.exposeString('name'),
    steps: t.field({ type: [PolicyStepRef], resolve: (p) => p.steps }),
  }),
});

const PolicyStepInput = builder.inputType('PolicyStepInput', {
  fields: (t) => ({
    approverType: t.field({ type: ApproverType, required: true }),
    userIds: t.idList({ required: false }),
  }),
});

builder.queryFields((t) => ({
  policies: t.field({
    type: [PolicyRef],
    resolve: (_root, _args, context) => context.services.directory.policies(),
  }),
}));

builder.mutationFields((t) => ({
  createPolicy: t.field({
    type: PolicyRef,
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }), steps: t.arg({ type: [PolicyStepInput], required: true }) },
    resolve: (_root, args, context) =>
      context.services.profiles.createPolicy(
        args.name,
        args.steps.map((s) => ({ approverType: s.approverType, userIds: (s.userIds ?? []).map((id) => rawIdOf('User', String(id))) })),
        context.viewer,
      ),
  }),
}));

/** An admin's manual membership changes: enrollUsers and unenrollUsers (src/profiles/membership.ts). */
import { builder } from '../builder.js';
import { rawIdOf } from '../ids.js';
import { TaskRef } from './refs.js';

builder.mutationFields((t) => ({
  enrollUsers: t.field({
    type: [TaskRef],
    authScopes: { admin: true },
    description: 'Enrollment tasks (MANUAL) for users who are not members; they need not match the rule',
    args: { profileId: t.arg.id({ required: true }), userIds: t.arg.idList({ required: true }) },
    resolve: (_root, args, context) =>
      context.services.membership.enrollUsers(
        rawIdOf('AccessProfile', String(args.profileId)),
        args.userIds.map((id) => rawIdOf('User', String(id))),
        context.viewer,
      ),
  }),
  unenrollUsers: t.field({
    type: [TaskRef],
    authScopes: { admin: true },
    description: "Unenrollment tasks for members (however enrolled); a non-member's pending enrollment is cancelled",
    args: { profileId: t.arg.id({ required: true }), userIds: t.arg.idList({ required: true }) },
    resolve: (_root, args, context) =>
      context.services.membership.unenrollUsers(
        rawIdOf('AccessProfile', String(args.profileId)),
        args.userIds.map((id) => rawIdOf('User', String(id))),
        context.viewer,
      ),
  }),
}));

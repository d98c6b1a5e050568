/**
 * The reviewers' decisions that the rule of a profile respects: users whose rule enrollment was
 * denied while they still match (`deniedEnrollments`), and members kept because their unenrollment
 * was denied (`keptByDecision`), each with the deciding task, who decided and when. They explain
 * why the rule "did not act" on someone (docs/sync.md, "Decisions stick").
 */
import type { ObjectRef } from '@pothos/core';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import type { IdPage } from '../directory/records.js';
import type { MembershipDecisionRow } from '../loaders.js';
import { pageOf, toConnection, type ConnectionResult, type PageArgs } from './connection.js';
import { AccessProfileRef, TaskRef, UserRef } from './refs.js';

const MembershipDecisionRef = builder.objectRef<MembershipDecisionRow>('MembershipDecision').implement({
  description: "A reviewer's decision that the profile's rule respects",
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: async (d, _a, c) => (await c.loaders.user.load(d.userId))! }),
    task: t.field({ type: TaskRef, nullable: true, description: 'The denied enrollment or unenrollment task', resolve: (d, _a, c) => c.loaders.task.load(d.taskId) }),
    decidedAt: t.field({ type: 'DateTime', resolve: (d) => d.at }),
    decidedBy: t.field({
      type: UserRef,
      nullable: true,
      description: 'Who denied it; null when the bootstrap admin credential did',
      resolve: async (d, _a, c) => {
        const task = await c.loaders.task.load(d.taskId);
        return task?.closedById ? c.loaders.user.load(task.closedById) : null;
      },
    }),
  }),
});

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
const MembershipDecisionConnection = builder.connectionObject(
  { type: MembershipDecisionRef, name: 'MembershipDecisionConnection' },
  { name: 'MembershipDecisionEdge' },
) as unknown as ObjectRef<Types, ConnectionResult<MembershipDecisionRow>>;

async function decisions(profileId: string, args: PageArgs, context: Context, pages: 'deniedEnrollmentsOfProfile' | 'keptByDecisionOfProfile') {
  const { first, after, limit } = pageOf(args, context);
  const page: IdPage = await context.loaders[pages].load({ parentId: profileId, after, limit });
  const rows = await Promise.all(page.ids.map((userId) => context.loaders.membershipDecision.load(`${profileId}|${userId}`)));
  return toConnection(
    rows.filter((r): r is MembershipDecisionRow => r !== null),
    first,
    page.total,
    (r) => r.userId,
    after !== null,
  );
}

builder.objectFields(AccessProfileRef, (t) => ({
  deniedEnrollments: t.field({
    nullable: true,
    type: MembershipDecisionConnection,
    description: "Users the rule matches but does not enroll: a reviewer denied their enrollment, and it stands until they stop matching (or an admin enrolls them); admins and auditors only",
    args: { first: t.arg.int(), after: t.arg.string() },
    authScopes: { readAll: true },
    resolve: (p, args, context) => decisions(p.id, args, context, 'deniedEnrollmentsOfProfile'),
  }),
  keptByDecision: t.field({
    nullable: true,
    type: MembershipDecisionConnection,
    description: 'Members the rule no longer matches but keeps: a reviewer denied their unenrollment, and it stands until they match again and then stop; admins and auditors only',
    args: { first: t.arg.int(), after: t.arg.string() },
    authScopes: { readAll: true },
    resolve: (p, args, context) => decisions(p.id, args, context, 'keptByDecisionOfProfile'),
  }),
}));

import { canReadUser } from '../auth/viewer.js';
import { builder } from '../builder.js';
import { rawIdOf } from '../ids.js';
import { loadAll } from '../loaders.js';
import { primeGrants } from '../directory/pages.js';
import { pageOf, selectsField, toConnection } from './connection.js';
import { grantsKey } from './page-keys.js';
import { usersWithTheirGrants } from './users-fold.js';
import { AccessProfileRef, GrantConnection, UserConnection, UserRef } from './refs.js';

export const UserStatus = builder.enumType('UserStatus', { values: ['ACTIVE', 'DISABLED'] as const });
export const Role = builder.enumType('Role', { values: ['ADMIN', 'AUDITOR', 'USER'] as const });

builder.node(UserRef, {
  id: { resolve: (user) => user.id },
  loadMany: (ids, context) => Promise.all(ids.map((id) => context.loaders.user.load(id))),
  fields: (t) => ({
    externalId: t.exposeString('externalId'),
    email: t.exposeString('email'),
    displayName: t.exposeString('displayName'),
    status: t.field({ type: UserStatus, resolve: (user) => user.status }),
    role: t.field({
      nullable: true,
      type: Role,
      authScopes: (user, _args, context) => canReadUser(context.viewer, user.id),
      resolve: (user) => user.role,
    }),
    manager: t.field({
      type: UserRef,
      nullable: true,
      resolve: (user, _args, context) => (user.managerId ? context.loaders.user.get(user.managerId) : null),
    }),
    grants: t.field({
      nullable: true,
      type: GrantConnection,
      description: "The user's grants; the user themself, admins and auditors may read them",
      args: { first: t.arg.int(), after: t.arg.string() },
      authScopes: (user, _args, context) => canReadUser(context.viewer, user.id),
      resolve: async (user, args, context, info) => {
        const { first, after, key } = grantsKey(user.id, args, context, info);
        const page = await context.loaders.grantsOfUser.load(key);
        return toConnection(primeGrants(context.loaders, page), first, page?.total ?? 0, (g) => g.id, after !== null);
      },
    }),
    memberships: t.field({
      nullable: true,
      type: [AccessProfileRef],
      description: 'The profiles the user is enrolled in',
      authScopes: (user, _args, context) => canReadUser(context.viewer, user.id),
      resolve: async (user, _args, context) => loadAll(context.loaders.profile, await context.loaders.membershipsOfUser.load(user.id)),
    }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: UserRef,
    nullable: true,
    description: 'The user the token acts as (null for the bootstrap admin token)',
    resolve: (_root, _args, context) => (context.viewer?.userId ? context.loaders.user.load(context.viewer.userId) : null),
  }),
  users: t.field({
    type: UserConnection,
    args: { first: t.arg.int(), after: t.arg.string(), search: t.arg.string() },
    authScopes: { authenticated: true },
    resolve: async (_root, args, context, info) => {
      const { first, after, limit } = pageOf(args, context);
      const search = args.search?.trim() ? args.search.trim() : null;
      const withTotal = selectsField(info, 'totalCount');
      // The users and their grants in one statement when the query shows them (src/schema/users-fold.ts).
      const folded = await usersWithTheirGrants({ after, limit, search }, context, info);
      if (folded !== null) return toConnection(folded, first, withTotal ? await context.services.directory.countUsers(search) : 0, (u) => u.id, after !== null);
      const { records, total } = await context.services.directory.users(after, limit, search, withTotal);
      for (const user of records) context.loaders.user.prime(user.id, user);
      return toConnection(records, first, total, (u) => u.id, after !== null);
    },
  }),
  userByExternalId: t.field({
    type: UserRef,
    nullable: true,
    args: { externalId: t.arg.string({ required: true }) },
    resolve: async (_root, args, context) => {
      return context.services.directory.userByExternalId(args.externalId);
    },
  }),
}));

builder.mutationFields((t) => ({
  setUserRole: t.field({
    type: UserRef,
    args: { userId: t.arg.id({ required: true }), role: t.arg({ type: Role, required: true }) },
    authScopes: { admin: true },
    resolve: async (_root, args, context) => {
      const userId = rawIdOf('User', String(args.userId));
      await context.services.auth.setUserRole(userId, args.role, context.viewer);
      context.loaders.user.clear(userId);
      return (await context.loaders.user.load(userId))!;
    },
  }),
}));

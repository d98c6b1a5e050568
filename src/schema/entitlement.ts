import { builder } from '../builder.js';
import { loadAll } from '../loaders.js';
import { primeGrants } from '../directory/pages.js';
import { pageOf, selectsField, toConnection } from './connection.js';
import { holdersKey } from './page-keys.js';
import { AccessProfileRef, AppRef, EntitlementConnection, EntitlementRef, GrantConnection, PolicyRef } from './refs.js';

export const EntitlementKind = builder.enumType('EntitlementKind', { values: ['STANDARD', 'PROFILE_ENROLLMENT', 'PROFILE_EXCLUSION'] as const });

builder.node(EntitlementRef, {
  id: { resolve: (e) => e.id },
  loadMany: (ids, context) => Promise.all(ids.map((id) => context.loaders.entitlement.load(id))),
  fields: (t) => ({
    externalId: t.exposeString('externalId', { nullable: true }),
    name: t.exposeString('name'),
    kind: t.field({ type: EntitlementKind, resolve: (e) => e.kind }),
    app: t.field({ type: AppRef, nullable: true, resolve: (e, _args, context) => (e.appId ? context.loaders.app.get(e.appId) : null) }),
    profile: t.field({
      type: AccessProfileRef,
      nullable: true,
      resolve: (e, _args, context) => (e.profileId ? context.loaders.profile.get(e.profileId) : null),
    }),
    requestPolicy: t.field({
      type: PolicyRef,
      nullable: true,
      resolve: (e, _args, context) => (e.requestPolicyId ? context.loaders.policy.load(e.requestPolicyId) : null),
    }),
    revokePolicy: t.field({
      type: PolicyRef,
      nullable: true,
      resolve: (e, _args, context) => (e.revokePolicyId ? context.loaders.policy.load(e.revokePolicyId) : null),
    }),
    holders: t.field({
      nullable: true,
      type: GrantConnection,
      description: 'Who holds it; admins and auditors only',
      args: { first: t.arg.int(), after: t.arg.string() },
      authScopes: { readAll: true },
      resolve: async (e, args, context, info) => {
        const { first, after, key } = holdersKey(e.id, args, context, info);
        const page = await context.loaders.holdersOfEntitlement.load(key);
        return toConnection(primeGrants(context.loaders, page), first, page?.total ?? 0, (g) => g.id, after !== null);
      },
    }),
    includedIn: t.field({
      type: [AccessProfileRef],
      resolve: async (e, _args, context) => loadAll(context.loaders.profile, await context.loaders.profilesIncludingEntitlement.load(e.id)),
    }),
  }),
});

builder.queryFields((t) => ({
  entitlements: t.field({
    type: EntitlementConnection,
    args: { first: t.arg.int(), after: t.arg.string(), search: t.arg.string() },
    resolve: async (_root, args, context, info) => {
      const { first, after, limit } = pageOf(args, context);
      const search = args.search?.trim() ? args.search.trim() : null;
      const { records, total } = await context.services.directory.entitlements(after, limit, search, selectsField(info, 'totalCount'));
      for (const e of records) context.loaders.entitlement.prime(e.id, e);
      return toConnection(records, first, total, (e) => e.id, after !== null);
    },
  }),
  entitlementByExternalId: t.field({
    type: EntitlementRef,
    nullable: true,
    args: { externalId: t.arg.string({ required: true }) },
    resolve: async (_root, args, context) => {
      return context.services.directory.entitlementByExternalId(args.externalId);
    },
  }),
}));

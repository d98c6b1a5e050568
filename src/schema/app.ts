import { builder } from '../builder.js';
import { loadAll } from '../loaders.js';
import { pageOf, selectsField, toConnection } from './connection.js';
import { AppConnection, AppRef, EntitlementConnection, UserRef } from './refs.js';

export const ProvisioningMode = builder.enumType('ProvisioningMode', { values: ['AUTOMATIC', 'MANUAL'] as const });

builder.node(AppRef, {
  id: { resolve: (app) => app.id },
  loadMany: (ids, context) => Promise.all(ids.map((id) => context.loaders.app.load(id))),
  fields: (t) => ({
    externalId: t.exposeString('externalId'),
    name: t.exposeString('name'),
    provisioning: t.field({ type: ProvisioningMode, resolve: (app) => app.provisioning }),
    owners: t.field({ type: [UserRef], resolve: (app, _args, context) => loadAll(context.loaders.user, app.ownerIds) }),
    entitlements: t.field({
      type: EntitlementConnection,
      args: { first: t.arg.int(), after: t.arg.string() },
      resolve: async (app, args, context) => {
        const { first, after, limit } = pageOf(args, context);
        const page = await context.loaders.entitlementsOfApp.load({ parentId: app.id, after, limit });
        return toConnection(await loadAll(context.loaders.entitlement, page.ids), first, page.total, (e) => e.id, after !== null);
      },
    }),
  }),
});

builder.queryFields((t) => ({
  apps: t.field({
    type: AppConnection,
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: async (_root, args, context, info) => {
      const { first, after, limit } = pageOf(args, context);
      const { records, total } = await context.services.directory.apps(after, limit, selectsField(info, 'totalCount'));
      for (const app of records) context.loaders.app.prime(app.id, app);
      return toConnection(records, first, total, (a) => a.id, after !== null);
    },
  }),
  appByExternalId: t.field({
    type: AppRef,
    nullable: true,
    args: { externalId: t.arg.string({ required: true }) },
    resolve: async (_root, args, context) => {
      return context.services.directory.appByExternalId(args.externalId);
    },
  }),
}));

/** Partner ingest: the bulk upserts, keyed by external id. */
import { builder } from '../builder.js';
import type { UpsertResult } from '../directory/ingest.js';
import { ProvisioningMode } from './app.js';
import { UserStatus } from './user.js';

const UpsertResultRef = builder.objectRef<UpsertResult>('UpsertResult').implement({
  fields: (t) => ({
    created: t.exposeInt('created'),
    updated: t.exposeInt('updated'),
    unchanged: t.exposeInt('unchanged'),
    removed: t.exposeInt('removed', { description: 'Grants removed through replaceForEntitlements (0 elsewhere)' }),
  }),
});

const UserInput = builder.inputType('UserInput', {
  fields: (t) => ({
    externalId: t.string({ required: true }),
    email: t.string({ required: true }),
    displayName: t.string({ required: true }),
    status: t.field({ type: UserStatus, defaultValue: 'ACTIVE' }),
    managerExternalId: t.string(),
  }),
});
const AppInput = builder.inputType('AppInput', {
  fields: (t) => ({
    externalId: t.string({ required: true }),
    name: t.string({ required: true }),
    ownerExternalIds: t.stringList({ defaultValue: [] }),
    provisioning: t.field({ type: ProvisioningMode, defaultValue: 'AUTOMATIC' }),
  }),
});
const EntitlementInput = builder.inputType('EntitlementInput', {
  fields: (t) => ({
    externalId: t.string({ required: true }),
    appExternalId: t.string({ required: true }),
    name: t.string({ required: true }),
    requestPolicyId: t.id(),
    revokePolicyId: t.id(),
  }),
});
const GrantInput = builder.inputType('GrantInput', {
  fields: (t) => ({
    userExternalId: t.string({ required: true }),
    entitlementExternalId: t.string({ required: true }),
  }),
});

builder.mutationFields((t) => ({
  upsertUsers: t.field({
    type: UpsertResultRef,
    authScopes: { ingest: true },
    args: { users: t.arg({ type: [UserInput], required: true }) },
    resolve: (_root, args, context) => context.services.ingest.upsertUsers(args.users, context.viewer),
  }),
  upsertApps: t.field({
    type: UpsertResultRef,
    authScopes: { ingest: true },
    args: { apps: t.arg({ type: [AppInput], required: true }) },
    resolve: (_root, args, context) => context.services.ingest.upsertApps(args.apps, context.viewer),
  }),
  upsertEntitlements: t.field({
    type: UpsertResultRef,
    authScopes: { ingest: true },
    args: { entitlements: t.arg({ type: [EntitlementInput], required: true }) },
    resolve: (_root, args, context) =>
      context.services.ingest.upsertEntitlements(
        args.entitlements.map((e) => ({ ...e, requestPolicyId: e.requestPolicyId ? String(e.requestPolicyId) : null, revokePolicyId: e.revokePolicyId ? String(e.revokePolicyId) : null })),
        context.viewer,
      ),
  }),
  upsertGrants: t.field({
    type: UpsertResultRef,
    description: "The source system's view of grants: adds the missing ones; with replaceForEntitlements, removes the grants of those entitlements that the batch does not list",
    authScopes: { ingest: true },
    args: { grants: t.arg({ type: [GrantInput], required: true }), replaceForEntitlements: t.arg.stringList() },
    resolve: (_root, args, context) => context.services.ingest.upsertGrants(args.grants, args.replaceForEntitlements, context.viewer),
  }),
}));

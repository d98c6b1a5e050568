import { builder } from '../builder.js';
import type { ProfileRecord } from '../directory/records.js';
import { rawIdOf } from '../ids.js';
import { primeUsers } from '../directory/pages.js';
import { loadAll } from '../loaders.js';
import { pageOf, selectsField, toConnection } from './connection.js';
import { membersKey } from './page-keys.js';
import { AccessProfileConnection, AccessProfileRef, EntitlementRef, PolicyRef, UserConnection, UserRef } from './refs.js';

export const AutomationMode = builder.enumType('AutomationMode', { values: ['SYNC_MEMBERS_ONLY', 'SYNC_MEMBERS_AND_ACCESS'] as const });
export const UnenrollmentAction = builder.enumType('UnenrollmentAction', { values: ['LEAVE_AS_IS', 'REVOKE_ALL', 'REVOKE_UNJUSTIFIED'] as const });

export const MembershipAutomationRef = builder.objectRef<ProfileRecord>('MembershipAutomation').implement({
  fields: (t) => ({
    enabled: t.boolean({ resolve: (p) => p.automationEnabled }),
    mode: t.field({ type: AutomationMode, resolve: (p) => p.automationMode }),
    condition: t.field({
      type: [EntitlementRef],
      description: 'Users holding ANY of these match',
      resolve: async (p, _args, context) => loadAll(context.loaders.entitlement, await context.loaders.conditionOfProfile.load(p.id)),
    }),
    excludedUsers: t.field({
      nullable: true,
      type: [UserRef],
      authScopes: { readAll: true },
      resolve: async (p, _args, context) => loadAll(context.loaders.user, await context.loaders.excludedOfProfile.load(p.id)),
    }),
    pauseOnAnomalies: t.exposeBoolean('pauseOnAnomalies'),
  }),
});

builder.node(AccessProfileRef, {
  id: { resolve: (p) => p.id },
  loadMany: (ids, context) => Promise.all(ids.map((id) => context.loaders.profile.load(id))),
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    allowEnrollmentRequests: t.exposeBoolean('allowEnrollmentRequests'),
    enrollmentEntitlement: t.field({
      type: EntitlementRef,
      resolve: async (p, _args, context) => (await context.loaders.entitlement.load(p.enrollmentEntitlementId))!,
    }),
    exclusionEntitlement: t.field({
      type: EntitlementRef,
      resolve: async (p, _args, context) => (await context.loaders.entitlement.load(p.exclusionEntitlementId))!,
    }),
    items: t.field({
      type: [EntitlementRef],
      resolve: async (p, _args, context) => loadAll(context.loaders.entitlement, await context.loaders.itemsOfProfile.load(p.id)),
    }),
    enrollmentPolicy: t.field({
      type: PolicyRef,
      nullable: true,
      resolve: (p, _args, context) => (p.enrollmentPolicyId ? context.loaders.policy.load(p.enrollmentPolicyId) : null),
    }),
    unenrollmentPolicy: t.field({
      type: PolicyRef,
      nullable: true,
      resolve: (p, _args, context) => (p.unenrollmentPolicyId ? context.loaders.policy.load(p.unenrollmentPolicyId) : null),
    }),
    bypassItemRequestPolicies: t.exposeBoolean('bypassItemRequestPolicies'),
    bypassItemRevokePolicies: t.exposeBoolean('bypassItemRevokePolicies'),
    unenrollmentAction: t.field({ type: UnenrollmentAction, resolve: (p) => p.unenrollmentAction }),
    automation: t.field({ type: MembershipAutomationRef, resolve: (p) => p }),
    members: t.field({
      nullable: true,
      type: UserConnection,
      description: 'Users holding the enrollment entitlement; admins and auditors only',
      args: { first: t.arg.int(), after: t.arg.string() },
      authScopes: { readAll: true },
      resolve: async (p, args, context) => {
        const { first, after, key } = membersKey(p.id, args, context);
        const page = await context.loaders.membersOfProfile.load(key);
        return toConnection(primeUsers(context.loaders, page), first, page?.total ?? 0, (u) => u.id, after !== null);
      },
    }),
  }),
});

const AccessProfileInput = builder.inputType('AccessProfileInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string(),
    allowEnrollmentRequests: t.boolean(),
    enrollmentPolicyId: t.id(),
    unenrollmentPolicyId: t.id(),
    bypassItemRequestPolicies: t.boolean(),
    bypassItemRevokePolicies: t.boolean(),
    unenrollmentAction: t.field({ type: UnenrollmentAction }),
  }),
});

export const MembershipAutomationInput = builder.inputType('MembershipAutomationInput', {
  description: 'A change of the automation: a field left out keeps its saved value; a list given as null is emptied',
  fields: (t) => ({
    enabled: t.boolean(),
    mode: t.field({ type: AutomationMode }),
    conditionEntitlementIds: t.idList({ description: 'Users holding ANY of these match' }),
    excludedUserIds: t.idList(),
    pauseOnAnomalies: t.boolean({ description: 'Whether the safeguard may pause a sync of this profile' }),
  }),
});

type ProfileInputArgs = typeof AccessProfileInput.$inferInput;

/** A policy id given keeps its meaning: undefined leaves it, null clears it. */
function profileSettings(input: ProfileInputArgs) {
  const policy = (id: string | number | null | undefined) => (id === undefined ? undefined : id === null ? null : rawIdOf('Policy', String(id)));
  return {
    ...input,
    enrollmentPolicyId: policy(input.enrollmentPolicyId),
    unenrollmentPolicyId: policy(input.unenrollmentPolicyId),
  };
}

export async function reloadProfile(context: { loaders: { profile: { clear(id: string): unknown; load(id: string): Promise<ProfileRecord | null> } } }, id: string) {
  context.loaders.profile.clear(id);
  return (await context.loaders.profile.load(id))!;
}

builder.queryFields((t) => ({
  accessProfiles: t.field({
    type: AccessProfileConnection,
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: async (_root, args, context, info) => {
      const { first, after, limit } = pageOf(args, context);
      const { ids, total } = await context.services.directory.profileIds(after, limit, selectsField(info, 'totalCount'));
      return toConnection(await loadAll(context.loaders.profile, ids), first, total, (p) => p.id, after !== null);
    },
  }),
}));

builder.mutationFields((t) => ({
  createAccessProfile: t.field({
    type: AccessProfileRef,
    authScopes: { admin: true },
    args: { input: t.arg({ type: AccessProfileInput, required: true }) },
    resolve: async (_root, args, context) => reloadProfile(context, await context.services.profiles.createProfile(profileSettings(args.input), context.viewer)),
  }),
  updateAccessProfile: t.field({
    type: AccessProfileRef,
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: AccessProfileInput, required: true }) },
    resolve: async (_root, args, context) => {
      const id = rawIdOf('AccessProfile', String(args.id));
      await context.services.profiles.updateProfile(id, profileSettings(args.input), context.viewer);
      return reloadProfile(context, id);
    },
  }),
}));

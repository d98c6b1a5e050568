/**
 * Profile items and membership automation settings: each mutation is one service call (items and
 * their members' tasks in one transaction; the automation with its exclusion tasks, then a sync).
 */
import { builder } from '../builder.js';
import { rawIdOf } from '../ids.js';
import { MembershipAutomationInput, reloadProfile } from './profile.js';
import { AccessProfileRef } from './refs.js';

builder.mutationFields((t) => ({
  addProfileItems: t.field({
    type: AccessProfileRef,
    authScopes: { admin: true },
    args: {
      profileId: t.arg.id({ required: true }),
      entitlementIds: t.arg.idList({ required: true }),
      requestForMembers: t.arg.boolean({ defaultValue: true, description: 'Create grant tasks for current members (false: only future members get the items)' }),
    },
    resolve: async (_root, args, context) => {
      const profileId = rawIdOf('AccessProfile', String(args.profileId));
      const entitlementIds = args.entitlementIds.map((id) => rawIdOf('Entitlement', String(id)));
      await context.services.profiles.addItems(profileId, entitlementIds, args.requestForMembers ?? true, context.viewer);
      return reloadProfile(context, profileId);
    },
  }),
  removeProfileItems: t.field({
    type: AccessProfileRef,
    authScopes: { admin: true },
    args: { profileId: t.arg.id({ required: true }), entitlementIds: t.arg.idList({ required: true }) },
    resolve: async (_root, args, context) => {
      const profileId = rawIdOf('AccessProfile', String(args.profileId));
      const entitlementIds = args.entitlementIds.map((id) => rawIdOf('Entitlement', String(id)));
      await context.services.profiles.removeItems(profileId, entitlementIds, context.viewer);
      return reloadProfile(context, profileId);
    },
  }),
  setMembershipAutomation: t.field({
    type: AccessProfileRef,
    authScopes: { admin: true },
    args: { profileId: t.arg.id({ required: true }), input: t.arg({ type: MembershipAutomationInput, required: true }) },
    resolve: async (_root, args, context) => {
      const profileId = rawIdOf('AccessProfile', String(args.profileId));
      const ids = (list: readonly (string | number)[] | null | undefined, type: 'Entitlement' | 'User') =>
        list === undefined ? undefined : list === null ? null : list.map((id) => rawIdOf(type, String(id)));
      const { enabled, mode, pauseOnAnomalies } = args.input;
      const input = {
        enabled,
        mode,
        pauseOnAnomalies,
        conditionEntitlementIds: ids(args.input.conditionEntitlementIds, 'Entitlement'),
        excludedUserIds: ids(args.input.excludedUserIds, 'User'),
      };
      await context.services.membership.saveAutomation(profileId, input, context.viewer);
      return reloadProfile(context, profileId);
    },
  }),
}));

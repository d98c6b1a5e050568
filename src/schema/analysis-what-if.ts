/**
 * What a change would do, saving nothing: whatIfMembershipAutomation (a proposed automation and
 * item list) and blastRadius (an item or condition removed, or the profile retired). Admins and
 * auditors only; src/analysis/what-if.ts computes both.
 */
import { builder } from '../builder.js';
import type { AccessLoss, BlastRadiusResult, ProposedTask, WhatIfResult } from '../analysis/records.js';
import { rawIdOf } from '../ids.js';
import { AutomationMode, UnenrollmentAction } from './profile.js';
import { AccessProfileRef, EntitlementRef, UserConnection, UserRef } from './refs.js';
import { TaskKind, TaskOrigin } from './task.js';
import { connectionOf, entitlement, offsetConnection, profile, readAll, user, userIdConnection } from './analysis-support.js';

// ---- what-if -----------------------------------------------------------------------------------

const ProposedTaskRef = builder.objectRef<ProposedTask>('ProposedTask').implement({
  description: 'A task a change would create (nothing is created)',
  fields: (t) => ({
    kind: t.field({ type: TaskKind, resolve: (r) => r.kind }),
    origin: t.field({ type: TaskOrigin, resolve: (r) => r.origin }),
    user: t.field({ type: UserRef, resolve: (r, _a, c) => user(r.userId, c) }),
    entitlement: t.field({ type: EntitlementRef, resolve: (r, _a, c) => entitlement(r.entitlementId, c) }),
  }),
});
const ProposedTaskConnection = connectionOf(ProposedTaskRef, 'ProposedTask');

const SafeguardCheckRef = builder.objectRef<WhatIfResult>('SafeguardCheck').implement({
  fields: (t) => ({
    wouldPause: t.exposeBoolean('wouldPause'),
    reason: t.string({ nullable: true, resolve: (x) => x.pauseReason }),
    minMembers: t.int({ resolve: (x) => x.safeguard.minMembers }),
    maxUnenrollRatio: t.float({ resolve: (x) => x.safeguard.maxUnenrollRatio }),
  }),
});

const AutomationWhatIfRef = builder.objectRef<WhatIfResult>('AutomationWhatIf').implement({
  description: 'What a sync with a proposed automation (and item list) would do now; nothing is saved',
  fields: (t) => ({
    profile: t.field({ type: AccessProfileRef, resolve: async (x, _a, c) => (await profile(x.profileId, c))! }),
    mode: t.field({ type: AutomationMode, resolve: (x) => x.mode }),
    unenrollmentAction: t.field({ type: UnenrollmentAction, resolve: (x) => x.unenrollmentAction }),
    memberCount: t.exposeInt('memberCount'),
    toEnrollCount: t.int({ resolve: (x) => x.toEnroll.length }),
    toUnenrollCount: t.int({ resolve: (x) => x.toUnenroll.length }),
    toEnroll: t.field({ type: UserConnection, args: { first: t.arg.int(), after: t.arg.string() }, resolve: (x, args, c) => userIdConnection(x.toEnroll, args, c) }),
    toUnenroll: t.field({ type: UserConnection, args: { first: t.arg.int(), after: t.arg.string() }, resolve: (x, args, c) => userIdConnection(x.toUnenroll, args, c) }),
    cancelledEnrollments: t.exposeInt('cancelledEnrollments', { description: 'Open rule enrollment tasks of users who would no longer match' }),
    cancelledUnenrollments: t.exposeInt('cancelledUnenrollments', { description: 'Open rule unenrollment tasks of members who would match again' }),
    wouldPause: t.exposeBoolean('wouldPause'),
    safeguard: t.field({ type: SafeguardCheckRef, resolve: (x) => x }),
    grantTaskCount: t.exposeInt('grantTaskCount'),
    revokeTaskCount: t.exposeInt('revokeTaskCount'),
    keptGrantCount: t.exposeInt('keptGrantCount', { description: 'Grants listing the profile that the unenrollment action leaves in place' }),
    membersLackingAccess: t.exposeInt('membersLackingAccess', {
      description: 'Current members lacking one of the items the profile keeps, with no open task for it: the save and the sync ask nothing for them (switching to SYNC_MEMBERS_AND_ACCESS included); requestMissingAccess does',
    }),
    grantTasks: t.field({
      type: ProposedTaskConnection,
      description: 'Item grant tasks: the enrollment cascade for users enrolled, and items added for members who stay (at most 10,000 listed)',
      args: { first: t.arg.int(), after: t.arg.string() },
      resolve: (x, args, c) => offsetConnection(x.grantTasks, args, c, x.grantTaskCount),
    }),
    revokeTasks: t.field({
      type: ProposedTaskConnection,
      description: 'Item revoke tasks under the unenrollment action: for users unenrolled, and items removed for members who stay (at most 10,000 listed)',
      args: { first: t.arg.int(), after: t.arg.string() },
      resolve: (x, args, c) => offsetConnection(x.revokeTasks, args, c, x.revokeTaskCount),
    }),
  }),
});

const AutomationProposalInput = builder.inputType('AutomationProposalInput', {
  description: 'A proposed automation; a field left out keeps the saved value',
  fields: (t) => ({
    conditionEntitlementIds: t.idList(),
    excludedUserIds: t.idList(),
    itemEntitlementIds: t.idList(),
    unenrollmentAction: t.field({ type: UnenrollmentAction }),
    mode: t.field({ type: AutomationMode }),
    pauseOnAnomalies: t.boolean(),
  }),
});

// ---- blast radius ------------------------------------------------------------------------------

const BlastRadiusChange = builder.enumType('BlastRadiusChange', {
  values: {
    REMOVE_ITEM: { description: "Remove an entitlement from the profile's items" },
    REMOVE_CONDITION: { description: "Remove an entitlement from the profile's condition" },
    DISABLE_PROFILE: { description: 'Retire the profile: every member unenrolled, the unenrollment action applied' },
  } as const,
});
const AccessLossKind = builder.enumType('AccessLossKind', { values: ['MEMBERSHIP', 'ACCESS'] as const });

const AccessLossRef = builder.objectRef<AccessLoss>('AccessLoss').implement({
  fields: (t) => ({
    kind: t.field({ type: AccessLossKind, resolve: (r) => r.kind }),
    user: t.field({ type: UserRef, resolve: (r, _a, c) => user(r.userId, c) }),
    entitlement: t.field({ type: EntitlementRef, resolve: (r, _a, c) => entitlement(r.entitlementId, c) }),
    profile: t.field({ type: AccessProfileRef, resolve: async (r, _a, c) => (await profile(r.profileId, c))! }),
  }),
});
const AccessLossConnection = connectionOf(AccessLossRef, 'AccessLoss');

const BlastRadiusRef = builder.objectRef<BlastRadiusResult>('BlastRadius').implement({
  description: 'Who loses what if a change were made; nothing is changed',
  fields: (t) => ({
    change: t.field({ type: BlastRadiusChange, resolve: (x) => x.change }),
    profile: t.field({ type: AccessProfileRef, resolve: async (x, _a, c) => (await profile(x.profileId, c))! }),
    entitlement: t.field({ type: EntitlementRef, nullable: true, resolve: (x, _a, c) => (x.entitlementId ? c.loaders.entitlement.load(x.entitlementId) : null) }),
    membershipLossCount: t.exposeInt('membershipLossCount'),
    accessLossCount: t.exposeInt('accessLossCount'),
    keptGrantCount: t.exposeInt('keptGrantCount', { description: 'Grants that stay: direct, or held through another profile the user stays in' }),
    affectedUserCount: t.exposeInt('affectedUserCount'),
    wouldPause: t.exposeBoolean('wouldPause', { description: 'REMOVE_CONDITION: the next sync would be paused by the safeguard' }),
    losses: t.field({
      type: AccessLossConnection,
      args: { first: t.arg.int(), after: t.arg.string() },
      description: 'Memberships lost, then access lost (at most 10,000 listed)',
      resolve: (x, args, c) => offsetConnection(x.losses, args, c, x.membershipLossCount + x.accessLossCount),
    }),
  }),
});

// ---- queries -----------------------------------------------------------------------------------

builder.queryFields((t) => ({
  whatIfMembershipAutomation: t.field({
    type: AutomationWhatIfRef,
    authScopes: readAll,
    description: "What a sync would do with a proposed condition / exclusion list / item list; saves nothing",
    args: { profileId: t.arg.id({ required: true }), proposal: t.arg({ type: AutomationProposalInput, defaultValue: {} }) },
    resolve: (_r, args, c) => {
      const p = args.proposal ?? {};
      // Left out (undefined) keeps the saved value, as saving the automation does (profiles/automation.ts).
      const ids = (list: readonly (string | number)[] | null | undefined, type: string) =>
        list === undefined ? undefined : list === null ? null : list.map((id) => rawIdOf(type, String(id)));
      return c.services.analysis.whatIf(rawIdOf('AccessProfile', String(args.profileId)), {
        conditionIds: ids(p.conditionEntitlementIds, 'Entitlement'),
        excludedIds: ids(p.excludedUserIds, 'User'),
        itemIds: ids(p.itemEntitlementIds, 'Entitlement'),
        unenrollmentAction: p.unenrollmentAction ?? null,
        mode: p.mode,
        pauseOnAnomalies: p.pauseOnAnomalies,
      });
    },
  }),
  blastRadius: t.field({
    type: BlastRadiusRef,
    authScopes: readAll,
    description: 'Who would lose what if an item or condition entitlement were removed from a profile, or the profile retired; changes nothing',
    args: { change: t.arg({ type: BlastRadiusChange, required: true }), profileId: t.arg.id({ required: true }), entitlementId: t.arg.id() },
    resolve: (_r, args, c) =>
      c.services.analysis.blastRadius(args.change, rawIdOf('AccessProfile', String(args.profileId)), args.entitlementId ? rawIdOf('Entitlement', String(args.entitlementId)) : null),
  }),
}));

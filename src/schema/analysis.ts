/**
 * The analysts' queries: why, who, what-if, blast radius and hygiene reports. Admins and auditors
 * only (readAll). Every one reads; none writes. The same answers export as CSV under /export/
 * (src/analysis/export.ts).
 */
import type { ObjectRef } from '@pothos/core';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import type {
  AccessExplanation,
  AccessLoss,
  AccessPath,
  BlastRadiusResult,
  DriftedMemberRow,
  EmptyProfileRow,
  HolderRow,
  ProfileOverlapRow,
  ProposedTask,
  RedundantExclusionRow,
  UnjustifiedGrantRow,
  WhatIfResult,
} from '../analysis/service.js';
import { badInput } from '../errors.js';
import { rawIdOf } from '../ids.js';
import { loadAll } from '../loaders.js';
import { pageOf, selectsField, toConnection, type ConnectionResult, type PageArgs } from './connection.js';
import { GrantSourceType } from './grant.js';
import { AutomationMode, UnenrollmentAction } from './profile.js';
import { AccessProfileRef, EntitlementRef, GrantRef, TaskRef, UserConnection, UserRef } from './refs.js';
import { TaskKind, TaskOrigin } from './task.js';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

function connectionOf<T extends object>(type: ObjectRef<Types, T>, name: string): ObjectRef<Types, ConnectionResult<T>> {
  return builder.connectionObject({ type, name: `${name}Connection` }, { name: `${name}Edge` }) as unknown as ObjectRef<Types, ConnectionResult<T>>;
}

const readAll = { readAll: true } as const;

/** Pages an in-memory list (bounded by the service) with offset cursors. */
function offsetConnection<T>(rows: T[], args: PageArgs, context: Context, total = rows.length): ConnectionResult<T> {
  const { first, after } = pageOf(args, context);
  const start = after === null ? 0 : Number(after) + 1;
  if (!Number.isInteger(start) || start < 0) throw badInput('Invalid cursor');
  const indexed = rows.slice(start, start + first + 1).map((row, i) => ({ row, index: start + i }));
  const connection = toConnection(indexed, first, total, (r) => String(r.index), after !== null);
  return { ...connection, edges: connection.edges.map((e) => ({ cursor: e.cursor, node: e.node.row })) };
}

/** Pages a sorted list of user ids with the user id as the cursor. */
async function userIdConnection(ids: string[], args: PageArgs, context: Context) {
  const { first, after } = pageOf(args, context);
  const start = after === null ? 0 : ids.findIndex((id) => id > after);
  const page = start < 0 ? [] : ids.slice(start, start + first + 1);
  return toConnection(await loadAll(context.loaders.user, page), first, ids.length, (u) => u.id, after !== null);
}

const task = (id: string | null, context: Context) => (id ? context.loaders.task.load(id) : null);
const profile = (id: string | null, context: Context) => (id ? context.loaders.profile.load(id) : null);
const user = async (id: string, context: Context) => (await context.loaders.user.load(id))!;
const entitlement = async (id: string, context: Context) => (await context.loaders.entitlement.load(id))!;

export const EnrolledVia = builder.enumType('EnrolledVia', {
  description: 'How a member was enrolled: by the rule (a sync), by an admin, or by their own request',
  values: ['RULE', 'MANUAL', 'SELF_SERVICE'] as const,
});

// ---- why ---------------------------------------------------------------------------------------

const AccessPathRef = builder.objectRef<AccessPath>('AccessPath').implement({
  description: 'One profile through which a user holds, or could hold, an entitlement',
  fields: (t) => ({
    profile: t.field({ type: AccessProfileRef, resolve: async (p, _a, c) => (await profile(p.profileId, c))! }),
    recordedSource: t.exposeBoolean('recordedSource', { description: 'The grant lists this profile as a source' }),
    includesEntitlement: t.exposeBoolean('includesEntitlement'),
    member: t.exposeBoolean('member'),
    enrolledVia: t.field({ type: EnrolledVia, nullable: true, resolve: (p) => p.enrolledVia }),
    enrolledAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.enrolledAt }),
    enrollmentTask: t.field({ type: TaskRef, nullable: true, description: 'The task that enrolled the user', resolve: (p, _a, c) => task(p.enrollmentTaskId, c) }),
    matchedCondition: t.field({
      type: [EntitlementRef],
      description: "The profile's condition entitlements the user holds (why the rule matches them)",
      resolve: (p, _a, c) => loadAll(c.loaders.entitlement, p.heldConditionIds),
    }),
    excluded: t.exposeBoolean('excluded'),
    justifies: t.exposeBoolean('justifies', { description: 'The user is a member and the profile includes the entitlement: it justifies the grant now' }),
  }),
});

const AccessExplanationRef = builder.objectRef<AccessExplanation>('AccessExplanation').implement({
  description: 'Why a user holds an entitlement: every justification path',
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (x, _a, c) => user(x.userId, c) }),
    entitlement: t.field({ type: EntitlementRef, resolve: (x, _a, c) => entitlement(x.entitlementId, c) }),
    held: t.exposeBoolean('held'),
    grant: t.field({ type: GrantRef, nullable: true, resolve: (x, _a, c) => (x.grantId ? c.loaders.grant.load(x.grantId) : null) }),
    direct: t.exposeBoolean('direct', { description: 'The grant has the DIRECT source' }),
    grantedBy: t.field({ type: TaskRef, nullable: true, description: 'The task that created the grant', resolve: (x, _a, c) => task(x.grantedByTaskId, c) }),
    enrolledVia: t.field({
      type: EnrolledVia,
      nullable: true,
      description: 'On an enrollment entitlement: how the membership came about',
      resolve: (x) => x.enrolledVia as 'RULE' | 'MANUAL' | 'SELF_SERVICE' | null,
    }),
    paths: t.field({ type: [AccessPathRef], resolve: (x) => x.paths }),
    unjustified: t.exposeBoolean('unjustified', { description: 'Held with no remaining source: not direct, and no profile path justifies it' }),
  }),
});

// ---- who ---------------------------------------------------------------------------------------

const EntitlementHolderRef = builder.objectRef<HolderRow>('EntitlementHolder').implement({
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (r, _a, c) => user(r.userId, c) }),
    grant: t.field({ type: GrantRef, resolve: async (r, _a, c) => (await c.loaders.grant.load(r.grantId))! }),
    grantedAt: t.field({ type: 'DateTime', resolve: (r) => r.grantedAt }),
    direct: t.exposeBoolean('direct'),
    sourceProfiles: t.field({ type: [AccessProfileRef], resolve: (r, _a, c) => loadAll(c.loaders.profile, r.sourceProfileIds) }),
    justifiedBy: t.field({ type: [AccessProfileRef], resolve: (r, _a, c) => loadAll(c.loaders.profile, r.justifyingProfileIds) }),
    unjustified: t.exposeBoolean('unjustified'),
  }),
});
const EntitlementHolderConnection = connectionOf(EntitlementHolderRef, 'EntitlementHolder');

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

// ---- hygiene -----------------------------------------------------------------------------------

const UnjustifiedGrantRef = builder.objectRef<UnjustifiedGrantRow>('UnjustifiedGrant').implement({
  fields: (t) => ({
    grant: t.field({ type: GrantRef, resolve: async (r, _a, c) => (await c.loaders.grant.load(r.grantId))! }),
    user: t.field({ type: UserRef, resolve: (r, _a, c) => user(r.userId, c) }),
    entitlement: t.field({ type: EntitlementRef, resolve: (r, _a, c) => entitlement(r.entitlementId, c) }),
    grantedAt: t.field({ type: 'DateTime', resolve: (r) => r.grantedAt }),
    staleSources: t.field({
      type: [AccessProfileRef],
      description: 'Profiles the grant still lists as sources that no longer justify it',
      resolve: (r, _a, c) => loadAll(c.loaders.profile, r.staleProfileIds),
    }),
  }),
});
const UnjustifiedGrantConnection = connectionOf(UnjustifiedGrantRef, 'UnjustifiedGrant');

const DriftedMemberRef = builder.objectRef<DriftedMemberRow>('DriftedMember').implement({
  description: "A rule member who no longer matches the profile's condition, or is excluded",
  fields: (t) => ({
    profile: t.field({ type: AccessProfileRef, resolve: async (r, _a, c) => (await profile(r.profileId, c))! }),
    user: t.field({ type: UserRef, resolve: (r, _a, c) => user(r.userId, c) }),
    excluded: t.exposeBoolean('excluded'),
    automationEnabled: t.exposeBoolean('automationEnabled'),
    pendingUnenrollment: t.field({ type: TaskRef, nullable: true, resolve: (r, _a, c) => task(r.pendingUnenrollmentTaskId, c) }),
  }),
});
const DriftedMemberConnection = connectionOf(DriftedMemberRef, 'DriftedMember');

const RedundantExclusionRef = builder.objectRef<RedundantExclusionRow>('RedundantExclusion').implement({
  description: "An excluded user who holds none of the profile's condition entitlements",
  fields: (t) => ({
    profile: t.field({ type: AccessProfileRef, resolve: async (r, _a, c) => (await profile(r.profileId, c))! }),
    user: t.field({ type: UserRef, resolve: (r, _a, c) => user(r.userId, c) }),
    member: t.exposeBoolean('member'),
  }),
});
const RedundantExclusionConnection = connectionOf(RedundantExclusionRef, 'RedundantExclusion');

const EmptyProfileRef = builder.objectRef<EmptyProfileRow>('EmptyProfile').implement({
  fields: (t) => ({
    profile: t.field({ type: AccessProfileRef, resolve: async (r, _a, c) => (await profile(r.profileId, c))! }),
    itemCount: t.exposeInt('itemCount'),
    pendingEnrollments: t.exposeInt('pendingEnrollments'),
  }),
});
const EmptyProfileConnection = connectionOf(EmptyProfileRef, 'EmptyProfile');

const ProfileOverlapRef = builder.objectRef<ProfileOverlapRow>('ProfileOverlap').implement({
  description: 'Two profiles sharing items; similarity is shared items / items in either (Jaccard)',
  fields: (t) => ({
    profile: t.field({ type: AccessProfileRef, resolve: async (r, _a, c) => (await profile(r.profileId, c))! }),
    otherProfile: t.field({ type: AccessProfileRef, resolve: async (r, _a, c) => (await profile(r.otherProfileId, c))! }),
    sharedItemCount: t.exposeInt('shared'),
    itemCount: t.exposeInt('itemCount'),
    otherItemCount: t.exposeInt('otherItemCount'),
    similarity: t.exposeFloat('similarity'),
  }),
});
const ProfileOverlapConnection = connectionOf(ProfileOverlapRef, 'ProfileOverlap');

/** A keyed report page: the cursor is the row's key. */
function keyedConnection<T>(page: { rows: T[]; total: number }, first: number, keyOf: (row: T) => string, hadCursor: boolean) {
  return toConnection(page.rows, first, page.total, keyOf, hadCursor);
}

// ---- queries -----------------------------------------------------------------------------------

builder.queryFields((t) => ({
  whyAccess: t.field({
    type: AccessExplanationRef,
    authScopes: readAll,
    description: 'Why a user holds an entitlement: a direct grant and every profile path, and whether the grant is unjustified',
    args: { userId: t.arg.id({ required: true }), entitlementId: t.arg.id({ required: true }) },
    resolve: (_r, args, c) => c.services.analysis.explainAccess(rawIdOf('User', String(args.userId)), rawIdOf('Entitlement', String(args.entitlementId))),
  }),
  entitlementHolders: t.field({
    type: EntitlementHolderConnection,
    authScopes: readAll,
    description: "Who holds an entitlement and through what, by grant; filtered by the grant's recorded sources",
    args: { entitlementId: t.arg.id({ required: true }), first: t.arg.int(), after: t.arg.string(), sourceType: t.arg({ type: GrantSourceType }), profileId: t.arg.id() },
    resolve: async (_r, args, c) => {
      const { first, after, limit } = pageOf(args, c);
      const page = await c.services.analysis.holders(
        rawIdOf('Entitlement', String(args.entitlementId)),
        { sourceType: args.sourceType ?? null, profileId: args.profileId ? rawIdOf('AccessProfile', String(args.profileId)) : null },
        after,
        limit,
      );
      return keyedConnection(page, first, (r) => r.grantId, after !== null);
    },
  }),
  whatIfMembershipAutomation: t.field({
    type: AutomationWhatIfRef,
    authScopes: readAll,
    description: "What a sync would do with a proposed condition / exclusion list / item list; saves nothing",
    args: { profileId: t.arg.id({ required: true }), proposal: t.arg({ type: AutomationProposalInput, defaultValue: {} }) },
    resolve: (_r, args, c) => {
      const p = args.proposal ?? {};
      const ids = (list: readonly (string | number)[] | null | undefined, type: string) => (list === null || list === undefined ? null : list.map((id) => rawIdOf(type, String(id))));
      return c.services.analysis.whatIf(rawIdOf('AccessProfile', String(args.profileId)), {
        conditionIds: ids(p.conditionEntitlementIds, 'Entitlement'),
        excludedIds: ids(p.excludedUserIds, 'User'),
        itemIds: ids(p.itemEntitlementIds, 'Entitlement'),
        unenrollmentAction: p.unenrollmentAction ?? null,
        mode: p.mode ?? null,
        pauseOnAnomalies: p.pauseOnAnomalies ?? null,
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
  unjustifiedGrants: t.field({
    type: UnjustifiedGrantConnection,
    authScopes: readAll,
    description: 'Grants held with no remaining source (not direct, no profile the holder is in includes them)',
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: async (_r, args, c, info) => {
      const { first, after, limit } = pageOf(args, c);
      // The count scans every sourced grant: only when the client asks for it.
      const page = await c.services.analysis.unjustifiedGrants(after, limit, selectsField(info, 'totalCount'));
      return keyedConnection(page, first, (r) => r.grantId, after !== null);
    },
  }),
  driftedMembers: t.field({
    type: DriftedMemberConnection,
    authScopes: readAll,
    description: 'Rule members who no longer match their profile (pending review or unenrollment)',
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: async (_r, args, c) => {
      const { first, after, limit } = pageOf(args, c);
      return keyedConnection(await c.services.analysis.driftedMembers(after, limit), first, (r) => r.key, after !== null);
    },
  }),
  redundantExclusions: t.field({
    type: RedundantExclusionConnection,
    authScopes: readAll,
    description: 'Excluded users who would not match the condition anyway',
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: async (_r, args, c) => {
      const { first, after, limit } = pageOf(args, c);
      return keyedConnection(await c.services.analysis.redundantExclusions(after, limit), first, (r) => r.key, after !== null);
    },
  }),
  emptyProfiles: t.field({
    type: EmptyProfileConnection,
    authScopes: readAll,
    description: 'Profiles with no members',
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: async (_r, args, c) => {
      const { first, after, limit } = pageOf(args, c);
      return keyedConnection(await c.services.analysis.emptyProfiles(after, limit), first, (r) => r.profileId, after !== null);
    },
  }),
  overlappingProfiles: t.field({
    type: ProfileOverlapConnection,
    authScopes: readAll,
    description: 'Pairs of profiles whose items overlap, most similar first',
    args: { first: t.arg.int(), after: t.arg.string(), minShared: t.arg.int({ defaultValue: 1 }) },
    resolve: async (_r, args, c) => {
      const { first, after } = pageOf(args, c);
      const skip = after === null ? 0 : Number(after);
      if (!Number.isInteger(skip) || skip < 0) throw badInput('Invalid cursor');
      const page = await c.services.analysis.overlappingProfiles(skip, first, args.minShared ?? 1);
      const connection = toConnection(page.rows.map((row, i) => ({ row, i: skip + i + 1 })), first, page.total, (r) => String(r.i), after !== null);
      return {
        ...connection,
        pageInfo: { ...connection.pageInfo, hasNextPage: skip + page.rows.length < page.total },
        edges: connection.edges.map((e) => ({ cursor: e.cursor, node: e.node.row })),
      };
    },
  }),
}));


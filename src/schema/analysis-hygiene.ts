/**
 * The hygiene reports: unjustified grants, drifted members, redundant exclusions, empty and
 * overlapping profiles. Admins and auditors only; each is a keyed page read by the analysis
 * service (overlaps page by offset, most similar first).
 */
import { builder } from '../builder.js';
import type { DriftedMemberRow, EmptyProfileRow, ProfileOverlapRow, RedundantExclusionRow, UnjustifiedGrantRow } from '../analysis/records.js';
import { loadAll } from '../loaders.js';
import { offsetOf, pageOf, selectsField, toConnection } from './connection.js';
import { AccessProfileRef, EntitlementRef, GrantRef, TaskRef, UserRef } from './refs.js';
import { connectionOf, entitlement, keyedConnection, profile, readAll, task, user } from './analysis-support.js';

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

const DriftKind = builder.enumType('DriftKind', {
  description: 'How a member drifted from their profile',
  values: {
    NO_LONGER_MATCHES: { description: "A rule member who no longer matches the profile's condition, or is excluded" },
    MISSING_ACCESS: { description: "A member lacking one of the profile's items (no grant of it, whatever its source) with no open grant task for it" },
  } as const,
});

const DriftedMemberRef = builder.objectRef<DriftedMemberRow>('DriftedMember').implement({
  description: "A member who drifted: a rule member who no longer matches the profile's condition or is excluded, or a member lacking one of the profile's items with no open task for it (or both)",
  fields: (t) => ({
    profile: t.field({ type: AccessProfileRef, resolve: async (r, _a, c) => (await profile(r.profileId, c))! }),
    user: t.field({ type: UserRef, resolve: (r, _a, c) => user(r.userId, c) }),
    excluded: t.exposeBoolean('excluded'),
    automationEnabled: t.exposeBoolean('automationEnabled'),
    pendingUnenrollment: t.field({ type: TaskRef, nullable: true, resolve: (r, _a, c) => task(r.pendingUnenrollmentTaskId, c) }),
    kinds: t.field({
      type: [DriftKind],
      description: 'Which drift the row is: one or both',
      resolve: (r) => [...(r.noLongerMatches ? (['NO_LONGER_MATCHES'] as const) : []), ...(r.missingItemIds.length > 0 ? (['MISSING_ACCESS'] as const) : [])],
    }),
    missingItems: t.field({
      type: [EntitlementRef],
      description: 'The profile items the member lacks with no open grant task for them (requestMissingAccess asks for them)',
      resolve: (r, _a, c) => loadAll(c.loaders.entitlement, r.missingItemIds),
    }),
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

// ---- queries -----------------------------------------------------------------------------------

builder.queryFields((t) => ({
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
    description: 'Members who drifted: rule members who no longer match their profile (pending review or unenrollment), and members lacking items of their profile with no open task for them',
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
      const skip = offsetOf(after) ?? 0;
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

/**
 * The analysts' queries: why, who, what-if, blast radius and hygiene reports. Admins and auditors
 * only (readAll). Every one reads; none writes. The same answers export as CSV under /export/
 * (src/analysis/export.ts). This file has why and who; what-if and blast radius are in
 * analysis-what-if.ts, the hygiene reports in analysis-hygiene.ts, their helpers in
 * analysis-support.ts.
 */
import { builder } from '../builder.js';
import type { AccessExplanation, AccessPath, HolderRow } from '../analysis/records.js';
import { rawIdOf } from '../ids.js';
import { loadAll } from '../loaders.js';
import { pageOf } from './connection.js';
import { GrantSourceType } from './grant.js';
import { AccessProfileRef, EntitlementRef, GrantRef, TaskRef, UserRef } from './refs.js';
import { connectionOf, entitlement, keyedConnection, profile, readAll, task, user } from './analysis-support.js';

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
}));

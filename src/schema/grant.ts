import { canReadUser } from '../auth/viewer.js';
import { builder } from '../builder.js';
import type { GrantRecord } from '../directory/records.js';
import { loadAll } from '../loaders.js';
import { AccessProfileRef, EntitlementRef, GrantRef, UserRef } from './refs.js';

export const GrantSourceType = builder.enumType('GrantSourceType', { values: ['DIRECT', 'PROFILE'] as const });

interface GrantSource {
  type: 'DIRECT' | 'PROFILE';
  profileId: string | null;
}

const GrantSourceRef = builder.objectRef<GrantSource>('GrantSource').implement({
  fields: (t) => ({
    type: t.field({ type: GrantSourceType, resolve: (s) => s.type }),
    profile: t.field({
      type: AccessProfileRef,
      nullable: true,
      resolve: (s, _args, context) => (s.profileId ? context.loaders.profile.load(s.profileId) : null),
    }),
  }),
});

export function sourcesOf(grant: GrantRecord): GrantSource[] {
  return [
    ...(grant.direct ? [{ type: 'DIRECT' as const, profileId: null }] : []),
    ...grant.sourceProfileIds.map((profileId) => ({ type: 'PROFILE' as const, profileId })),
  ];
}

builder.node(GrantRef, {
  id: { resolve: (g) => g.id },
  // A grant is visible to its holder and to those who read everything, also through node(id).
  authScopes: (grant, context) => canReadUser(context.viewer, grant.userId),
  loadMany: (ids, context) => Promise.all(ids.map((id) => context.loaders.grant.load(id))),
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: async (g, _args, context) => (await context.loaders.user.load(g.userId))! }),
    entitlement: t.field({ type: EntitlementRef, resolve: async (g, _args, context) => (await context.loaders.entitlement.load(g.entitlementId))! }),
    grantedAt: t.field({ type: 'DateTime', resolve: (g) => g.grantedAt }),
    sources: t.field({ type: [GrantSourceRef], resolve: sourcesOf }),
    justifiedBy: t.field({
      type: [AccessProfileRef],
      description: 'Profiles the user is enrolled in that include this entitlement',
      resolve: async (g, _args, context) => loadAll(context.loaders.profile, await context.loaders.justifyingProfilesOfGrant.load(g.id)),
    }),
  }),
});

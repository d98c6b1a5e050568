import { canReadUser } from '../auth/viewer.js';
import { builder } from '../builder.js';
import type { MaybePromise } from '@pothos/core';
import type { EntitlementRecord, GrantRecord, UserRecord } from '../directory/records.js';
import { getAll } from '../loaders.js';
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
      resolve: (s, _args, context) => (s.profileId ? context.loaders.profile.get(s.profileId) : null),
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
    // Never null: a grant's user and entitlement exist while it does.
    user: t.field({ type: UserRef, resolve: (g, _args, context) => context.loaders.user.get(g.userId) as MaybePromise<UserRecord> }),
    entitlement: t.field({ type: EntitlementRef, resolve: (g, _args, context) => context.loaders.entitlement.get(g.entitlementId) as MaybePromise<EntitlementRecord> }),
    grantedAt: t.field({ type: 'DateTime', resolve: (g) => g.grantedAt }),
    sources: t.field({ type: [GrantSourceRef], resolve: sourcesOf }),
    justifiedBy: t.field({
      type: [AccessProfileRef],
      description: 'Profiles the user is enrolled in that include this entitlement',
      resolve: (g, _args, context) => {
        const ids = context.loaders.justifyingProfilesOfGrant.get(g.id);
        return ids instanceof Promise ? ids.then((known) => getAll(context.loaders.profile, known)) : getAll(context.loaders.profile, ids);
      },
    }),
  }),
});

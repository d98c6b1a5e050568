import { builder } from '../builder.js';
import type { SafeguardSettings } from '../settings/service.js';

const SafeguardSettingsRef = builder.objectRef<SafeguardSettings>('SafeguardSettings').implement({
  fields: (t) => ({
    minMembers: t.exposeInt('minMembers', { description: 'The safeguard applies to profiles with more members than this' }),
    maxUnenrollRatio: t.exposeFloat('maxUnenrollRatio', { description: 'A sync unenrolling more than this share of members is paused' }),
  }),
});

builder.queryFields((t) => ({
  safeguardSettings: t.field({ type: SafeguardSettingsRef, resolve: (_root, _args, context) => context.services.settings.safeguard() }),
}));

builder.mutationFields((t) => ({
  updateSafeguardSettings: t.field({
    type: SafeguardSettingsRef,
    authScopes: { admin: true },
    args: { minMembers: t.arg.int({ required: true }), maxUnenrollRatio: t.arg.float({ required: true }) },
    resolve: (_root, args, context) => context.services.settings.updateSafeguard(args.minMembers, args.maxUnenrollRatio, context.viewer),
  }),
}));

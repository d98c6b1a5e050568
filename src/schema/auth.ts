import { builder } from '../builder.js';
import type { ApiTokenRecord } from '../auth/tokens.js';
import { rawIdOf } from '../ids.js';
import { UserRef } from './refs.js';

const ApiTokenRef = builder.objectRef<ApiTokenRecord>('ApiToken').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    user: t.field({ type: UserRef, resolve: async (token, _args, context) => (await context.loaders.user.load(token.userId))! }),
    scopes: t.exposeStringList('scopes'),
    createdAt: t.field({ type: 'DateTime', resolve: (token) => token.createdAt }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (token) => token.revokedAt }),
  }),
});

const ApiTokenSecretRef = builder.objectRef<{ token: string; apiToken: ApiTokenRecord }>('ApiTokenSecret').implement({
  description: 'A new token: the secret is shown this once and stored only as a hash',
  fields: (t) => ({
    token: t.exposeString('token'),
    apiToken: t.field({ type: ApiTokenRef, resolve: (s) => s.apiToken }),
  }),
});

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: ApiTokenSecretRef,
    authScopes: { admin: true },
    args: {
      userId: t.arg.id({ required: true }),
      name: t.arg.string({ required: true }),
      scopes: t.arg.stringList({ required: true }),
    },
    resolve: (_root, args, context) => context.services.auth.createToken(rawIdOf('User', String(args.userId)), args.name, args.scopes, context.viewer),
  }),
  revokeApiToken: t.field({
    type: ApiTokenRef,
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => context.services.auth.revokeToken(String(args.id), context.viewer),
  }),
}));

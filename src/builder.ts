/** The Pothos builder and its plugins; the types live in src/schema/. */
import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { AuthScopeFailureType, type AuthFailure } from '@pothos/plugin-scope-auth';
import { canIngest, canReadAll, hasScope, isAdmin, whatIsMissing, type Scope, type Viewer } from './auth/viewer.js';
import type { Context } from './context.js';
import { AppError, badInput } from './errors.js';
import { decodeGlobalId } from './ids.js';
import SyncNodeIdsPlugin from './sync-node-ids.js';
import type { GraphQLResolveInfo } from 'graphql';

/**
 * What node(id) may read in its lookup besides the record, by type name: the page a field below
 * it will ask for, primed into the request's loaders (registered by src/schema/node-fold.ts).
 */
export const nodeFolds = new Map<string, (id: string, context: Context, info: GraphQLResolveInfo) => Promise<void>>();

/** What a refused viewer lacks, from the scope-auth plugin's failure: one scope, any of several, or a rule of the object. */
function describeFailure(failure: AuthFailure, viewer: Viewer): string {
  switch (failure.kind) {
    case AuthScopeFailureType.AuthScope:
      return whatIsMissing(viewer, failure.scope, failure.parameter);
    case AuthScopeFailureType.AnyAuthScopes:
    case AuthScopeFailureType.AllAuthScopes: {
      const parts = [...new Set(failure.failures.map((f) => describeFailure(f, viewer)))];
      return parts.join(failure.kind === AuthScopeFailureType.AnyAuthScopes ? ', or ' : ', and ');
    }
    case AuthScopeFailureType.AuthScopeFunction:
      return 'only its own user (with scope read), admins and auditors may read it';
    default:
      return 'not allowed';
  }
}

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: {
    /** Any valid token. */
    authenticated: boolean;
    /** Admins and auditors with the read scope. */
    readAll: boolean;
    /** Admins with the admin scope. */
    admin: boolean;
    /** Partner ingest. */
    ingest: boolean;
    /** The token carries this scope (for an auditor, only `read` counts). */
    scope: Scope;
  };
  Scalars: { DateTime: { Input: string; Output: string } };
  DefaultFieldNullability: false;
}>({
  // SyncNodeIdsPlugin last: its id resolver is the innermost, inside scope-auth's checks.
  plugins: [ScopeAuthPlugin, RelayPlugin, SyncNodeIdsPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (context) => ({
      authenticated: context.viewer !== null,
      readAll: canReadAll(context.viewer),
      admin: isAdmin(context.viewer),
      ingest: canIngest(context.viewer),
      // An auditor changes nothing whatever its token carries: of its scopes, only `read` counts.
      scope: (scope: Scope) => hasScope(context.viewer, scope) && (scope === 'read' || context.viewer?.role !== 'AUDITOR'),
    }),
    // The message says what is missing ("needs scope review", "admins only"); the code stays FORBIDDEN.
    unauthorizedError: (_parent, context, info, result) =>
      context.viewer === null
        ? new AppError('UNAUTHENTICATED', 'Authentication required')
        : new AppError('FORBIDDEN', `Not allowed (${info.parentType.name}.${info.fieldName}): ${describeFailure(result.failure, context.viewer)}`),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // Our decoding, so that a garbage id or one of a type we do not serve is BAD_USER_INPUT, not INTERNAL.
    decodeGlobalID: (globalID: string): { typename: string; id: string } => {
      const { type, id } = decodeGlobalId(globalID);
      if (!builder.configStore.hasConfig(type)) throw badInput(`Invalid id: ${JSON.stringify(globalID.slice(0, 100))}`);
      return { typename: type, id };
    },
    nodeQueryOptions: {
      authScopes: { authenticated: true },
      resolve: async (_root, args, context, info, resolveNode) => {
        await nodeFolds.get(args.id.typename)?.(String(args.id.id), context, info);
        return resolveNode(args.id);
      },
    },
    nodesQueryOptions: {
      authScopes: { authenticated: true },
      // One request asks for at most a page of nodes: a list of 50,000 ids would multiply past every other limit.
      resolve: (_root, args, context, _info, resolveNodes) => {
        const max = context.services.config.maxPageSize;
        if (args.ids.length > max) throw badInput(`nodes takes at most ${max} ids (MAX_PAGE_SIZE); page through them`);
        return resolveNodes(args.ids);
      },
    },
  },
});

builder.queryType({ authScopes: { authenticated: true } });
builder.mutationType({ authScopes: { authenticated: true } });

builder.scalarType('DateTime', {
  description: 'An ISO-8601 instant, in UTC',
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw new AppError('BAD_USER_INPUT', 'Expected an ISO-8601 date-time');
    return new Date(value).toISOString();
  },
});

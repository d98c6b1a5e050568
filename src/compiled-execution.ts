/**
 * Queries and mutations run compiled (graphql-jit, through its envelop plugin): each operation's
 * document is compiled once into a JavaScript function that resolves exactly its selection, kept
 * with the parsed document in yoga's document cache, instead of graphql-js walking the selection
 * field by field on every request. The resolvers, the scope-auth rules and every other plugin
 * run as before; what changes is the executor's own work per field (a read of 500 grants: about a
 * fifth of the API's CPU per request, docs/performance.md). Subscriptions keep the shared
 * executions of src/events/live-results.ts (one per event and visibility class).
 */
import { useGraphQlJit } from '@envelop/graphql-jit';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The envelop plugin, typed for envelop's bare context (yoga's extends it, hence the cast). */
export function compiledExecution(): Plugin {
  return useGraphQlJit({}, { enableIf: (args) => getOperationAST(args.document, args.operationName)?.operation !== 'subscription' }) as Plugin;
}

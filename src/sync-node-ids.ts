/**
 * A Pothos plugin that resolves the `id` field of Node types synchronously (docs/decisions.md,
 * "Reads: node ids resolve synchronously"). The Relay plugin's `id` resolver is an async
 * function, so every node object of an answer (a users read shows some 1,400) becomes a promise
 * that graphql-js completes asynchronously; the global id itself needs no waiting. Listed last in
 * the builder's plugins, so its resolver is the innermost: the scope-auth checks around the field
 * run exactly as before. The id is the Relay plugin's own encoding of the type's `id.resolve`; an
 * `id.resolve` that returns a promise falls back to the Relay plugin's resolver.
 */
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { GraphQLFieldResolver } from 'graphql';

type IdResolver = (parent: unknown, args: unknown, context: unknown, info: unknown) => unknown;

export class SyncNodeIdsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(resolver: GraphQLFieldResolver<unknown, Types['Context'], object>, fieldConfig: PothosOutputFieldConfig<Types>): GraphQLFieldResolver<unknown, Types['Context'], object> {
    if (fieldConfig.name !== 'id' || fieldConfig.graphqlKind !== 'Object') return resolver;
    const typeConfig = this.buildCache.getTypeConfig(fieldConfig.parentType);
    if (typeConfig.kind !== 'Object') return resolver;
    const isNode = typeConfig.interfaces.some((ref) => this.buildCache.getTypeConfig(ref).name === 'Node');
    const idOf = (typeConfig.pothosOptions as { id?: { resolve?: IdResolver } }).id?.resolve;
    if (!isNode || idOf === undefined) return resolver;
    const typeName = typeConfig.name;
    return (parent, args, context, info) => {
      const raw = idOf(parent, args, context, info);
      if (raw !== null && typeof raw === 'object' && 'then' in raw) return resolver(parent, args, context, info);
      return encodeGlobalID(typeName, String(raw));
    };
  }
}

const pluginName = 'syncNodeIds';
SchemaBuilder.registerPlugin(pluginName, SyncNodeIdsPlugin);

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      syncNodeIds: SyncNodeIdsPlugin<Types>;
    }
  }
}

export default pluginName;

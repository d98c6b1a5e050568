/**
 * The loader keys of the nested pages (src/directory/pages.ts), from a field's arguments and
 * selection: the field's resolver and a lookup that brings the page along
 * (src/schema/node-fold.ts) compute the same key, so the page the lookup primed is the one the
 * field finds.
 */
import type { FieldNode, FragmentDefinitionNode } from 'graphql';
import type { Context } from '../context.js';
import type { RecordPageKey } from '../directory/pages.js';
import { pageOf, type PageArgs } from './connection.js';
import { selectsPathIn } from './lookahead.js';

/** Where a field stands in the operation: its nodes and the operation's fragments (a GraphQLResolveInfo is one). */
export interface Selection {
  fieldNodes: readonly FieldNode[];
  fragments: Record<string, FragmentDefinitionNode>;
}

export interface KeyedPage<F extends string> {
  first: number;
  after: string | null;
  key: RecordPageKey<F>;
}

/** A profile's members page; BAD_USER_INPUT for bad page arguments. */
export function membersKey(profileId: string, args: PageArgs, context: Context): KeyedPage<never> {
  const { first, after, limit } = pageOf(args, context);
  return { first, after, key: { parentId: profileId, after, limit } };
}

/** An entitlement's holders page, with their users when the selection shows them. */
export function holdersKey(entitlementId: string, args: PageArgs, context: Context, at: Selection): KeyedPage<'withUsers'> {
  const { first, after, limit } = pageOf(args, context);
  return { first, after, key: { parentId: entitlementId, after, limit, with: { withUsers: selectsPathIn(at.fieldNodes, at.fragments, 'edges.node.user') } } };
}

export type GrantFlag = 'withEntitlements' | 'withApps' | 'withJustifiedBy';

/** A user's grants page, with what the selection shows of each grant's entitlement, app and justifying profiles. */
export function grantsKey(userId: string, args: PageArgs, context: Context, at: Selection): KeyedPage<GrantFlag> {
  const { first, after, limit } = pageOf(args, context);
  const selects = (path: string) => selectsPathIn(at.fieldNodes, at.fragments, path);
  return {
    first,
    after,
    key: {
      parentId: userId,
      after,
      limit,
      with: { withEntitlements: selects('edges.node.entitlement'), withApps: selects('edges.node.entitlement.app'), withJustifiedBy: selects('edges.node.justifiedBy') },
    },
  };
}

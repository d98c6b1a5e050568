/**
 * `users` folded with the grants below it (docs/decisions.md, "Reads: node(id) brings the page
 * below it", the same idea one level up): when the operation asks `users` for each user's
 * `grants`, the page of users and each one's grants page come in one statement
 * (directory/grants-of-users with $userIds null) and the grants pages are primed into the
 * request's loaders; the `grants` fields and their scope-auth rule then run as before and find
 * them loaded. Only for a viewer who may read every user's grants (the rule of `User.grants` for
 * each user, which still runs and decides); any other viewer, bad grants arguments or a second
 * alias of `grants` read unfolded.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { canReadAll } from '../auth/viewer.js';
import type { Context } from '../context.js';
import { usersWithGrants } from '../directory/pages.js';
import type { UserRecord } from '../directory/records.js';
import type { PageArgs } from './connection.js';
import { argumentsOf, subfieldNodes } from './lookahead.js';
import { grantsKey } from './page-keys.js';

/** The page of users with their grants primed, or null when the operation or the viewer does not call for the fold. */
export async function usersWithTheirGrants(
  users: { after: string | null; limit: number; search: string | null },
  context: Context,
  info: GraphQLResolveInfo,
): Promise<UserRecord[] | null> {
  if (!canReadAll(context.viewer)) return null;
  const edges = subfieldNodes(info, info.fieldNodes, 'UserConnection', 'edges');
  const nodes = edges && subfieldNodes(info, edges, 'UserEdge', 'node');
  const grants = nodes && subfieldNodes(info, nodes, 'User', 'grants');
  if (!grants) return null;
  const args = argumentsOf(info, 'User', 'grants', grants[0]!) as PageArgs;
  let key: ReturnType<typeof grantsKey>['key'];
  try {
    key = grantsKey('', args, context, { fieldNodes: grants, fragments: info.fragments }).key;
  } catch {
    return null; // bad arguments: each grants field refuses them where it stands
  }
  const rows = await usersWithGrants(context.services.db, users, key);
  for (const row of rows) {
    context.loaders.user.prime(row.parent.id, row.parent);
    context.loaders.grantsOfUser.prime({ ...key, parentId: row.parent.id }, row);
  }
  return rows.map((row) => row.parent);
}

/**
 * node(id) folded with the page below it (docs/decisions.md, "Reads: node(id) brings the page
 * below it"): when the operation asks node(id) for a profile's members, an entitlement's holders
 * or a user's grants, the lookup reads the record and that page in one statement (the page
 * statement with $withParent) and primes both into the request's loaders. The record's and the
 * field's resolvers, and their scope-auth rules, then run exactly as without the fold, on the same
 * records; they only find them already loaded.
 *
 * The fold reads the page only when the viewer passes the field's rule (the same check as its
 * authScopes; the rule itself still runs and decides): a refused viewer costs no page. Bad page
 * arguments, a node that is not found, or a page selected under two aliases fall back to the
 * unfolded reads, so errors and answers stay those of the field itself.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { canReadAll, canReadUser } from '../auth/viewer.js';
import { nodeFolds } from '../builder.js';
import type { Context } from '../context.js';
import { pageWithParent } from '../directory/pages.js';
import { argumentsOf, subfieldNodes } from './lookahead.js';
import { grantsKey, holdersKey, membersKey, type KeyedPage, type Selection } from './page-keys.js';
import type { PageArgs } from './connection.js';

/** The field `fieldName` selected below node(id) on a `typeName`: where it stands and its arguments; null if not selected. */
function below(info: GraphQLResolveInfo, typeName: string, fieldName: string): { at: Selection; args: PageArgs } | null {
  const nodes = subfieldNodes(info, info.fieldNodes, typeName, fieldName);
  if (nodes === null) return null;
  return { at: { fieldNodes: nodes, fragments: info.fragments }, args: argumentsOf(info, typeName, fieldName, nodes[0]!) as PageArgs };
}

/** The page's key, or null for bad arguments (the field's resolver refuses them where they stand). */
function keyOr<F extends string>(make: () => KeyedPage<F>): KeyedPage<F> | null {
  try {
    return make();
  } catch {
    return null;
  }
}

nodeFolds.set('AccessProfile', async (id: string, context: Context, info: GraphQLResolveInfo) => {
  const field = below(info, 'AccessProfile', 'members');
  if (field === null || !canReadAll(context.viewer)) return;
  const page = keyOr(() => membersKey(id, field.args, context));
  if (page === null) return;
  const row = await pageWithParent(context.services.db, 'membersOfProfile', page.key);
  if (row === null) return;
  context.loaders.profile.prime(id, row.parent);
  context.loaders.membersOfProfile.prime(page.key, row);
});

nodeFolds.set('Entitlement', async (id: string, context: Context, info: GraphQLResolveInfo) => {
  const field = below(info, 'Entitlement', 'holders');
  if (field === null || !canReadAll(context.viewer)) return;
  const page = keyOr(() => holdersKey(id, field.args, context, field.at));
  if (page === null) return;
  const row = await pageWithParent(context.services.db, 'holdersOfEntitlement', page.key);
  if (row === null) return;
  context.loaders.entitlement.prime(id, row.parent);
  context.loaders.holdersOfEntitlement.prime(page.key, row);
});

nodeFolds.set('User', async (id: string, context: Context, info: GraphQLResolveInfo) => {
  const field = below(info, 'User', 'grants');
  if (field === null || !canReadUser(context.viewer, id)) return;
  const page = keyOr(() => grantsKey(id, field.args, context, field.at));
  if (page === null) return;
  const row = await pageWithParent(context.services.db, 'grantsOfUser', page.key);
  if (row === null) return;
  context.loaders.user.prime(id, row.parent);
  context.loaders.grantsOfUser.prime(page.key, row);
});

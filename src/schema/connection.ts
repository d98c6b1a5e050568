/** Relay connections over keyset pages: the cursor is the last row's id, opaque to clients. */
import { Kind, type GraphQLResolveInfo, type SelectionNode } from 'graphql';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { badInput } from '../errors.js';
import { selectsPathIn } from './lookahead.js';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;

export function encodeCursor(id: string): string {
  return Buffer.from(`c:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): string | null {
  if (cursor === null || cursor === undefined) return null;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith('c:')) throw badInput('Invalid cursor');
  return decoded.slice(2);
}

/**
 * The largest offset an offset cursor may carry: the lists paged by offset are bounded far below
 * it, and Neo4j's list indexes are 32-bit (a larger one overflows in the statement).
 */
export const MAX_CURSOR_OFFSET = 1_000_000_000;

/**
 * An offset cursor's position: digits only, at most MAX_CURSOR_OFFSET; anything else is an
 * invalid cursor (BAD_USER_INPUT), never a number the database chokes on.
 */
export function offsetOf(after: string | null): number | null {
  if (after === null) return null;
  const offset = /^\d{1,10}$/.test(after) ? Number(after) : Number.NaN;
  if (!Number.isSafeInteger(offset) || offset > MAX_CURSOR_OFFSET) throw badInput('Invalid cursor');
  return offset;
}

/** Validated page arguments: `limit` asks for one row more than `first` to know if a next page exists. */
export function pageOf(args: PageArgs, context: Context): { first: number; after: string | null; limit: number } {
  const max = context.services.config.maxPageSize;
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > max) throw badInput(`first must be from 0 to ${max}`);
  return { first, after: decodeCursor(args.after), limit: first + 1 };
}

export interface ConnectionResult<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

/** Builds a connection from up to first+1 rows fetched after the cursor. */
export function toConnection<T>(rows: T[], first: number, totalCount: number, idOf: (row: T) => string, hadCursor = false): ConnectionResult<T> {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeCursor(idOf(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: hadCursor,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}

builder.globalConnectionField('totalCount', (t) =>
  t.int({
    description: 'How many items the whole list holds',
    resolve: (parent) => (parent as unknown as { totalCount?: number }).totalCount ?? 0,
  }),
);

/**
 * Whether the operation selects `name` directly on this field's result (through fragments too):
 * lets a resolver skip work, such as a costly count, that nobody asked for.
 */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  const visit = (selections: readonly SelectionNode[]): boolean =>
    selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === name;
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet.selections);
      const fragment = info.fragments[selection.name.value];
      return fragment !== undefined && visit(fragment.selectionSet.selections);
    });
  return info.fieldNodes.some((node) => node.selectionSet !== undefined && visit(node.selectionSet.selections));
}

/**
 * Whether the operation selects the field path (e.g. `edges.node.entitlement.app`) below this
 * field, through fragments too: a nested page brings along the records the query will show.
 */
export function selectsPath(info: GraphQLResolveInfo, path: string): boolean {
  return selectsPathIn(info.fieldNodes, info.fragments, path);
}

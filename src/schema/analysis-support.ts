/**
 * What the analysis schema files share: connections over the service's bounded in-memory lists
 * (offset or user id cursors) and over its keyed report pages, the readAll scope, and loader
 * shorthands for the ids the answers carry.
 */
import type { ObjectRef } from '@pothos/core';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { loadAll } from '../loaders.js';
import { offsetOf, pageOf, toConnection, type ConnectionResult, type PageArgs } from './connection.js';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

export function connectionOf<T extends object>(type: ObjectRef<Types, T>, name: string): ObjectRef<Types, ConnectionResult<T>> {
  return builder.connectionObject({ type, name: `${name}Connection` }, { name: `${name}Edge` }) as unknown as ObjectRef<Types, ConnectionResult<T>>;
}

export const readAll = { readAll: true } as const;

/** Pages an in-memory list (bounded by the service) with offset cursors. */
export function offsetConnection<T>(rows: T[], args: PageArgs, context: Context, total = rows.length): ConnectionResult<T> {
  const { first, after } = pageOf(args, context);
  const start = (offsetOf(after) ?? -1) + 1;
  const indexed = rows.slice(start, start + first + 1).map((row, i) => ({ row, index: start + i }));
  const connection = toConnection(indexed, first, total, (r) => String(r.index), after !== null);
  return { ...connection, edges: connection.edges.map((e) => ({ cursor: e.cursor, node: e.node.row })) };
}

/** Pages a sorted list of user ids with the user id as the cursor. */
export async function userIdConnection(ids: string[], args: PageArgs, context: Context) {
  const { first, after } = pageOf(args, context);
  const start = after === null ? 0 : ids.findIndex((id) => id > after);
  const page = start < 0 ? [] : ids.slice(start, start + first + 1);
  return toConnection(await loadAll(context.loaders.user, page), first, ids.length, (u) => u.id, after !== null);
}

/** A keyed report page: the cursor is the row's key. */
export function keyedConnection<T>(page: { rows: T[]; total: number }, first: number, keyOf: (row: T) => string, hadCursor: boolean) {
  return toConnection(page.rows, first, page.total, keyOf, hadCursor);
}

/** Loader shorthands: a task or profile an answer may lack, a user or entitlement it always has. */
export const task = (id: string | null, context: Context) => (id ? context.loaders.task.load(id) : null);
export const profile = (id: string | null, context: Context) => (id ? context.loaders.profile.load(id) : null);
export const user = async (id: string, context: Context) => (await context.loaders.user.load(id))!;
export const entitlement = async (id: string, context: Context) => (await context.loaders.entitlement.load(id))!;

/** Who is asking, and what they may do: role intersected with the token's scopes. */
export type Role = 'ADMIN' | 'AUDITOR' | 'USER';
export const ALL_SCOPES = ['read', 'request', 'review', 'provision', 'ingest', 'admin'] as const;
export type Scope = (typeof ALL_SCOPES)[number];

export interface Viewer {
  /** The user the token acts as; null for the bootstrap ADMIN_TOKEN. */
  userId: string | null;
  role: Role;
  scopes: ReadonlySet<Scope>;
  tokenId: string | null;
}

export const bootstrapAdmin: Viewer = { userId: null, role: 'ADMIN', scopes: new Set(ALL_SCOPES), tokenId: null };

export function isScope(value: string): value is Scope {
  return (ALL_SCOPES as readonly string[]).includes(value);
}

/** Reads everything: admins and auditors with the read scope. */
export function canReadAll(viewer: Viewer | null): boolean {
  return viewer !== null && (viewer.role === 'ADMIN' || viewer.role === 'AUDITOR') && viewer.scopes.has('read');
}

export function isAdmin(viewer: Viewer | null): boolean {
  return viewer !== null && viewer.role === 'ADMIN' && viewer.scopes.has('admin');
}

/**
 * Partner ingest: the ingest scope (only admins mint tokens, so holding it is an admin's decision),
 * or an admin. Never an auditor: auditors change nothing, whatever scopes their token carries.
 */
export function canIngest(viewer: Viewer | null): boolean {
  return viewer !== null && viewer.role !== 'AUDITOR' && (viewer.scopes.has('ingest') || isAdmin(viewer));
}

export function hasScope(viewer: Viewer | null, scope: Scope): boolean {
  return viewer !== null && viewer.scopes.has(scope);
}

/** A user's own data, or everything for those who read all. */
export function canReadUser(viewer: Viewer | null, userId: string): boolean {
  return canReadAll(viewer) || (viewer !== null && viewer.userId === userId && viewer.scopes.has('read'));
}

const classes = new WeakMap<Viewer, string>();

/**
 * The visibility class of a viewer: viewers of one class are judged alike by every rule a field
 * of the schema applies (the scope-auth scopes of src/builder.ts, canReadUser above, canSeeTask
 * of src/workflow/rules.ts), so one execution of an event serves them all (src/events/live-results.ts).
 * - Those who read everything (canReadAll): their role and scopes. Every rule lets them see every
 *   task and user; what still tells them apart is `admin` and `scope(...)`, which read only those.
 * - Everybody else: role, scopes and user (canSeeTask and canReadUser compare the user).
 * The token is in no class: no rule reads it. A rule that reads anything else of the viewer
 * (its user for a reader of everything) must be reflected here.
 * Computed once per Viewer object (a role change or a re-read makes a new one).
 */
export function visibilityClassOf(viewer: Viewer): string {
  let key = classes.get(viewer);
  if (key === undefined) {
    const scopes = [...viewer.scopes].sort().join(',');
    key = canReadAll(viewer) ? `all:${viewer.role}:${scopes}` : `user:${viewer.role}:${scopes}:${viewer.userId ?? ''}`;
    classes.set(viewer, key);
  }
  return key;
}

/** An auth scope of the schema as the scope-auth plugin names it, with its parameter. */
export type SchemaScope = 'authenticated' | 'readAll' | 'admin' | 'ingest' | 'scope';

/**
 * What a refused viewer lacks for one scope of the schema, in words for the error message:
 * "admins only", "needs scope review", ... (the rules themselves are the functions above).
 */
export function whatIsMissing(viewer: Viewer | null, scope: SchemaScope | string, parameter?: unknown): string {
  if (viewer === null) return 'needs a token';
  switch (scope) {
    case 'admin':
      return viewer.role === 'ADMIN' ? 'needs scope admin' : 'admins only';
    case 'readAll':
      return viewer.role === 'ADMIN' || viewer.role === 'AUDITOR' ? 'needs scope read' : 'admins and auditors only';
    case 'ingest':
      return viewer.role === 'AUDITOR' ? 'not for auditors (they change nothing): needs scope ingest or an admin' : 'needs scope ingest, or an admin';
    case 'scope': {
      const wanted = String(parameter);
      if (viewer.role === 'AUDITOR' && wanted !== 'read') return `not for auditors (they change nothing, whatever scope ${wanted} their token carries)`;
      return `needs scope ${wanted}`;
    }
    default:
      return 'not allowed';
  }
}

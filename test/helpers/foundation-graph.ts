/** Helpers for the foundation's tests: raw Cypher on the test graph, counts, paging, leak checks. */
import { expect } from 'vitest';
import type { GraphQLResponse, TestApp } from './app.js';

import { runCypher as cypher } from './app.js';
export { cypher };

/**
 * The directory's labels: "nothing was written" is about these. Bookkeeping that other
 * capabilities keep for every request (audit entries, events) is left out.
 */
export const DIRECTORY_LABELS = ['User', 'App', 'Entitlement', 'Grant', 'Policy', 'AccessProfile', 'ApiToken', 'Settings', 'Task'];

/** The directory's nodes and their relationships, counted: "nothing was written" means these do not move. */
export async function graphCounts(t: TestApp): Promise<{ nodes: number; relationships: number }> {
  const [row] = await cypher<{ nodes: number; relationships: number }>(
    t,
    `CALL { MATCH (n) WHERE any(l IN labels(n) WHERE l IN $labels) RETURN count(n) AS nodes }
     CALL { MATCH (n)-[r]->() WHERE any(l IN labels(n) WHERE l IN $labels) RETURN count(r) AS relationships }
     RETURN nodes, relationships`,
    { labels: DIRECTORY_LABELS },
  );
  return { nodes: Number(row!.nodes), relationships: Number(row!.relationships) };
}

/** Every directory node's labels, properties and outgoing relationships as text, in a stable order: a before/after snapshot. */
export async function graphSnapshot(t: TestApp): Promise<string> {
  const rows = await cypher<{ n: string }>(
    t,
    `MATCH (n) WHERE any(l IN labels(n) WHERE l IN $labels)
     WITH n, labels(n) AS labels, properties(n) AS props
     RETURN labels, props, [(n)-[r]->(m) | type(r) + '>' + coalesce(m.id, m.name, '')] AS out
     ORDER BY coalesce(n.id, n.name, '')`,
    { labels: DIRECTORY_LABELS },
  );
  return JSON.stringify(rows.map((r) => ({ ...r, out: [...(r as any).out].sort() })));
}

/** No error body carries internals: stack traces, Cypher, Neo4j codes or file paths. */
export function expectNoInternals(body: GraphQLResponse<unknown>): void {
  const text = JSON.stringify(body.errors ?? []);
  for (const marker of [/\bat \S+ \(/, /\.ts:\d+/, /\.js:\d+/, /Neo\.\w+Error/, /\bMATCH\s*\(/, /\bUNWIND\b/, /"stack"/, /originalError/]) {
    expect(text, `error body leaks internals: ${text.slice(0, 500)}`).not.toMatch(marker);
  }
}

/** The first error's code (fails when the response has no error). */
export function codeOf(body: GraphQLResponse<unknown>): unknown {
  expect(body.errors?.length, `expected an error, got ${JSON.stringify(body.data)}`).toBeGreaterThan(0);
  return body.errors![0]!.extensions?.code;
}

export interface Page<N> {
  totalCount: number;
  edges: { cursor: string; node: N }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * Walks a connection to its end with `first`/`after`; `fetch(after)` returns one page.
 * Checks each page's size, hasNextPage and totalCount on the way; returns every node.
 */
export async function pageThrough<N>(first: number, fetch: (after: string | null) => Promise<Page<N>>): Promise<{ nodes: N[]; pages: number; totalCount: number }> {
  const nodes: N[] = [];
  let after: string | null = null;
  let pages = 0;
  let totalCount = -1;
  for (;;) {
    const page: Page<N> = await fetch(after);
    pages += 1;
    if (totalCount === -1) totalCount = page.totalCount;
    expect(page.totalCount).toBe(totalCount);
    expect(page.edges.length).toBeLessThanOrEqual(first);
    nodes.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) break;
    expect(page.edges.length).toBe(first);
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)!.cursor);
    after = page.pageInfo.endCursor;
    if (pages > 10_000) throw new Error('runaway pagination');
  }
  expect(nodes.length).toBe(totalCount);
  return { nodes, pages, totalCount };
}

/** The raw (graph) id inside a global id. */
export function rawOf(globalId: string): string {
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}

/**
 * Seeds a grant straight into the graph, as a completed task would leave it (the workflow that
 * makes such grants is another issue's): `profileIds` become FROM_PROFILE sources.
 */
export async function seedGrant(
  t: TestApp,
  userId: string,
  entitlementId: string,
  options: { direct?: boolean; profileIds?: string[]; enrolledVia?: string | null } = {},
): Promise<string> {
  const [row] = await cypher<{ id: string }>(
    t,
    `MATCH (u:User {id: $userId}), (e:Entitlement {id: $entitlementId})
     CREATE (u)-[:HOLDS]->(g:Grant {id: randomUUID(), key: u.id + '|' + e.id, grantedAt: '2024-05-01T12:00:00.000Z',
                                    direct: $direct, enrolledVia: $enrolledVia})-[:OF]->(e)
     WITH g
     UNWIND (CASE WHEN size($profileIds) = 0 THEN [null] ELSE $profileIds END) AS profileId
     OPTIONAL MATCH (p:AccessProfile {id: profileId})
     FOREACH (x IN CASE WHEN p IS NULL THEN [] ELSE [p] END | CREATE (g)-[:FROM_PROFILE]->(x))
     RETURN DISTINCT g.id AS id`,
    { userId: rawOf(userId), entitlementId: rawOf(entitlementId), direct: options.direct ?? false, profileIds: (options.profileIds ?? []).map(rawOf), enrolledVia: options.enrolledVia ?? null },
  );
  if (!row) throw new Error('seedGrant: no such user or entitlement');
  return Buffer.from(`Grant:${row.id}`).toString('base64');
}

/** Runs raw Cypher that answers one row, and returns it. */
export async function cypherOne<T = Record<string, any>>(t: TestApp, query: string, params: Record<string, unknown> = {}): Promise<T> {
  const [row] = await cypher<T>(t, query, params);
  if (row === undefined) throw new Error(`no row from: ${query}`);
  return row;
}

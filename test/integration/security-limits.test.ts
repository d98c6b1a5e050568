/**
 * Query limits (issue 7, item 1): depth, aliases, directives, tokens, cost, `first` and rows
 * across nested connections, string arguments, batching and field suggestions; each refused with
 * BAD_USER_INPUT and `extensions.limit` before any resolver runs, on HTTP and WebSocket alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, codesOf, resetGraph, startTestApp, type GraphQLResponse, type TestApp } from '../helpers/app.js';
import { ingestOrg } from '../helpers/fixtures.js';
import { cypherOne } from '../helpers/foundation-graph.js';
import { expectNoLeak, postJson, raw, wsClient, wsRun } from '../helpers/security-client.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, 3, [{ externalId: 'app1', name: 'App 1', entitlements: ['e1', 'e2'] }]);
});
afterAll(async () => t?.stop());

/**
 * Statements the resolvers of these queries would run (directory reads). Counted by name, not in
 * total: background work (the sync following the ingest) may run its own statements meanwhile.
 */
function resolverStatements(): number {
  return [...t.app.services.db.statementCounts].filter(([name]) => name.startsWith('directory/')).reduce((sum, [, n]) => sum + n, 0);
}

/** Runs the query as the bootstrap admin (no database lookup to authenticate) and counts the resolver Cypher it ran. */
async function refused(query: string, variables: Record<string, unknown> = {}): Promise<{ body: GraphQLResponse<unknown>; statements: number }> {
  const before = resolverStatements();
  const body = await t.request(query, variables);
  return { body, statements: resolverStatements() - before };
}

function limitOf(body: GraphQLResponse<unknown>): unknown {
  return body.errors?.[0]?.extensions?.limit;
}

/** users > edges > node > grants > edges > node > entitlement > holders > edges > node > id: 11 levels. */
const ELEVEN_DEEP = `{ users { edges { node { grants { edges { node { entitlement { holders { edges { node { id } } } } } } } } } } }`;

describe('query limits, before any resolver runs', () => {
  it('refuses a query deeper than QUERY_MAX_DEPTH (10) and runs no Cypher', async () => {
    const { body, statements } = await refused(ELEVEN_DEEP);
    expect(codesOf(body)).toEqual(['BAD_USER_INPUT']);
    expect(limitOf(body)).toBe('depth');
    expect(body.data ?? null).toBeNull();
    expect(statements).toBe(0);
    expectNoLeak(body.errors);
  });

  it('accepts a query at the depth limit', async () => {
    const data = await t.admin(`{ users { edges { node { grants { edges { node { entitlement { app { id } } } } } } } } }`);
    expect(data.users.edges).toHaveLength(3);
  });

  it('counts depth through fragments, including one named like an introspection field', async () => {
    const viaFragment = await refused(`query { ...Deep } fragment Deep on Query ${ELEVEN_DEEP}`);
    expect(limitOf(viaFragment.body)).toBe('depth');
    const namedSchema = await refused(`query { ...__schema } fragment __schema on Query ${ELEVEN_DEEP}`);
    expect(codesOf(namedSchema.body)[0]).toBe('BAD_USER_INPUT');
    expect(namedSchema.statements).toBe(0);
    const aliasedSchema = await refused(ELEVEN_DEEP.replace('{ users', '{ __schema: users'));
    expect(codesOf(aliasedSchema.body)[0]).toBe('BAD_USER_INPUT');
    expect(aliasedSchema.statements).toBe(0);
  });

  it('refuses recursive fragments without running anything', async () => {
    const direct = await refused(`{ users { edges { node { ...M } } } } fragment M on User { manager { ...M } }`);
    expect(codesOf(direct.body)[0]).toBe('BAD_USER_INPUT');
    expect(direct.statements).toBe(0);
    const mutual = await refused(`{ users { edges { node { ...A } } } } fragment A on User { manager { ...B } } fragment B on User { manager { ...A } }`);
    expect(codesOf(mutual.body)[0]).toBe('BAD_USER_INPUT');
    expect(mutual.statements).toBe(0);
    expectNoLeak([...(direct.body.errors ?? []), ...(mutual.body.errors ?? [])]);
  });

  it('refuses more than QUERY_MAX_ALIASES (15) aliases, also when they hide in fragments', async () => {
    const aliases = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: viewer { id }`).join(' ');
    const ok = await t.request(`{ ${aliases(15)} }`);
    expect(ok.errors).toBeUndefined();
    const tooMany = await refused(`{ ${aliases(16)} }`);
    expect(limitOf(tooMany.body)).toBe('aliases');
    expect(tooMany.statements).toBe(0);
    const inFragments = await refused(`{ ...F1 ...F2 } fragment F1 on Query { ${aliases(8)} } fragment F2 on Query { ${aliases(8).replaceAll('a', 'b')} }`);
    expect(limitOf(inFragments.body)).toBe('aliases');
    const spreadTwice = await refused(`{ ...F x: users { edges { node { ...G } } } } fragment F on Query { ${aliases(8)} } fragment G on User { ${Array.from({ length: 8 }, (_, i) => `m${i}: manager { id }`).join(' ')} }`);
    expect(limitOf(spreadTwice.body)).toBe('aliases');
  });

  it('refuses more than QUERY_MAX_DIRECTIVES (10) directives', async () => {
    const directives = (n: number) => Array.from({ length: n }, () => 'id @include(if: true)').join(' ');
    expect((await t.request(`{ viewer { ${directives(10)} } }`)).errors).toBeUndefined();
    const { body, statements } = await refused(`{ viewer { ${directives(11)} } }`);
    expect(limitOf(body)).toBe('directives');
    expect(statements).toBe(0);
  });

  it('refuses more than QUERY_MAX_TOKENS (2000) tokens while parsing', async () => {
    const { body, statements } = await refused(`{ ${Array.from({ length: 700 }, () => '__typename').join(' ')} viewer { id } ${Array.from({ length: 1400 }, () => '__typename').join(' ')} }`);
    expect(codesOf(body)).toEqual(['BAD_USER_INPUT']);
    expect(limitOf(body)).toBe('tokens');
    expect(statements).toBe(0);
    expectNoLeak(body.errors);
  });

  it('refuses a query whose cost, with fragments expanded at each spread, is over QUERY_MAX_COST (5000)', async () => {
    // A fragment bomb: each fragment spreads the next twice, 2^11 copies of six fields, depth 2.
    const chain = Array.from({ length: 11 }, (_, i) => `fragment F${i} on User { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const query = `{ viewer { ...F0 } } ${chain} fragment F11 on User { id externalId email displayName status role }`;
    const { body, statements } = await refused(query);
    expect(limitOf(body)).toBe('cost');
    expect(statements).toBe(0);
    const modest = `{ viewer { ...F0 } } ${chain.replace(/fragment F([5-9]|10) .*$/, '')} fragment F5 on User { id externalId email displayName status role }`;
    expect((await t.request(modest)).errors).toBeUndefined();
  });

  it('refuses first above MAX_PAGE_SIZE, literal or variable, before any resolver', async () => {
    const literal = await refused(`{ users(first: 501) { totalCount } apps { totalCount } }`);
    expect(limitOf(literal.body)).toBe('first');
    expect(literal.body.data ?? null).toBeNull();
    expect(literal.statements).toBe(0);
    const variable = await refused(`query($n: Int) { users(first: $n) { totalCount } }`, { n: 10_000 });
    expect(limitOf(variable.body)).toBe('first');
    const defaulted = await refused(`query($n: Int = 9999) { users(first: $n) { totalCount } }`);
    expect(limitOf(defaulted.body)).toBe('first');
    const negative = await refused(`{ users(first: -1) { totalCount } }`);
    expect(limitOf(negative.body)).toBe('first');
    expect(negative.statements).toBe(0);
  });

  it('refuses nested connections that could return more than QUERY_MAX_ROWS rows', async () => {
    const { body, statements } = await refused(`{ users(first: 500) { edges { node { grants(first: 200) { totalCount } } } } }`);
    expect(limitOf(body)).toBe('rows');
    expect(body.errors?.[0]?.extensions?.max).toBe(50_000);
    expect(statements).toBe(0);
    const fine = await t.request(`{ users(first: 500) { edges { node { grants(first: 50) { totalCount } } } } }`);
    expect(fine.errors).toBeUndefined();
  });

  it('refuses string arguments that are too long or not well-formed Unicode', async () => {
    const long = await refused(`query($s: String) { users(search: $s) { totalCount } }`, { s: 'x'.repeat(65_537) });
    expect(limitOf(long.body)).toBe('string-length');
    expect(long.statements).toBe(0);
    const lone = await refused(`query($s: String) { users(search: $s) { totalCount } }`, { s: 'a\uD800b' });
    expect(limitOf(lone.body)).toBe('string-encoding');
    const nested = await refused(`mutation($u: [UserInput!]!) { upsertUsers(users: $u) { created } }`, {
      u: [{ externalId: 'x\uDC00', email: 'x@example.com', displayName: 'X' }],
    });
    expect(limitOf(nested.body)).toBe('string-encoding');
    expect(nested.statements).toBe(0);
  });

  it('refuses batched operations (an array body)', async () => {
    const before = resolverStatements();
    const response = await postJson(t.url, [{ query: '{ users { totalCount } }' }, { query: '{ apps { totalCount } }' }], ADMIN_TOKEN);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(resolverStatements()).toBe(before);
    expect(response.body.errors?.length).toBeGreaterThan(0);
  });

  it('does not suggest field names outside development', async () => {
    const body = await t.request(`{ user { id } }`);
    expect(codesOf(body)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0]?.message).not.toMatch(/Did you mean|users/);
  });

  it('refuses a request body larger than REQUEST_MAX_BYTES with 413', async () => {
    const small = await startTestApp({ REQUEST_MAX_BYTES: '2048' });
    try {
      const response = await postJson(small.url, { query: `{ users(search: "${'x'.repeat(4000)}") { totalCount } }` }, ADMIN_TOKEN);
      expect(response.status).toBe(413);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    } finally {
      await small.stop();
    }
  });
});

describe('list arguments', () => {
  it('nodes(ids) takes at most MAX_PAGE_SIZE ids: more is BAD_USER_INPUT, and no node is read', async () => {
    const max = t.app.services.config.maxPageSize;
    const id = Buffer.from('User:00000000-0000-0000-0000-000000000000').toString('base64');
    const reads = t.app.services.db.statementCounts.get('directory/users-by-id') ?? 0;
    const over = await t.request(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: Array(max + 1).fill(id) });
    expect(codesOf(over)).toEqual(['BAD_USER_INPUT']);
    expect(over.errors![0]!.message).toContain('MAX_PAGE_SIZE');
    expect(t.app.services.db.statementCounts.get('directory/users-by-id') ?? 0).toBe(reads);
    const at = await t.request<{ nodes: unknown[] }>(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: Array(max).fill(id) });
    expect(at.errors).toBeUndefined();
    expect(at.data!.nodes).toHaveLength(max);
  });

  it('counts rows through a list of ids: nodes(ids) multiplies the connections nested under it', async () => {
    const id = Buffer.from('User:00000000-0000-0000-0000-000000000000').toString('base64');
    const query = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on User { grants(first: 200) { totalCount } } } }`;
    const over = await refused(query, { ids: Array(300).fill(id) }); // 300 + 300 x 200 rows
    expect(limitOf(over.body)).toBe('rows');
    expect(over.statements).toBe(0);
    const fine = await t.request(query, { ids: Array(200).fill(id) }); // 200 + 200 x 200
    expect(fine.errors).toBeUndefined();
  });

  it('every other list argument takes at most INPUT_MAX_LIST_LENGTH items, as a variable, nested or literal', async () => {
    const small = await startTestApp({ INPUT_MAX_LIST_LENGTH: '3' });
    try {
      const users = (n: number) => Array.from({ length: n }, (_, i) => ({ externalId: `list-${i}`, email: `list-${i}@example.com`, displayName: `L ${i}` }));
      const over = await small.request(`mutation($u: [UserInput!]!) { upsertUsers(users: $u) { created } }`, { u: users(4) });
      expect(codesOf(over)).toEqual(['BAD_USER_INPUT']);
      expect(over.errors![0]!.extensions).toMatchObject({ limit: 'list-length', max: 3 });
      const literal = await small.request(`{ nodes(ids: ["a", "b", "c", "d"]) { id } }`);
      expect(literal.errors![0]!.extensions).toMatchObject({ limit: 'list-length', max: 3 });
      const nested = await small.request(`mutation($s: [PolicyStepInput!]!) { createPolicy(name: "p", steps: $s) { id } }`, {
        s: [{ approverType: 'USERS', userIds: ['a', 'b', 'c', 'd'] }],
      });
      expect(nested.errors![0]!.extensions).toMatchObject({ limit: 'list-length', max: 3 });
      expect((await cypherOne<{ n: number }>(small, `MATCH (u:User) WHERE u.externalId STARTS WITH 'list-' RETURN count(u) AS n`)).n).toBe(0);
      // At the limit it is served (the same three users as the file's organisation: nothing changes).
      const same = [0, 1, 2].map((i) => ({ externalId: `u${i}`, email: `u${i}@example.com`, displayName: `User ${i}`, managerExternalId: i === 0 ? null : 'u0' }));
      const at = await small.request<{ upsertUsers: { created: number } }>(`mutation($u: [UserInput!]!) { upsertUsers(users: $u) { created } }`, { u: same });
      expect(at.errors).toBeUndefined();
      expect(at.data!.upsertUsers.created).toBe(0);
    } finally {
      await small.stop();
    }
  });
});

describe('field suggestions in development', () => {
  it('are shown when NODE_ENV=development', async () => {
    const dev = await startTestApp({ NODE_ENV: 'development' });
    try {
      const body = await dev.request(`{ user { id } }`);
      expect(body.errors?.[0]?.message).toMatch(/Did you mean/);
    } finally {
      await dev.stop();
    }
  });
});

describe('the same limits over WebSocket', () => {
  it('refuses depth, aliases, first and rows on graphql-ws, and still runs a fine query', async () => {
    const client = wsClient(t.url, ADMIN_TOKEN);
    try {
      const fine = await wsRun(client, `{ users { totalCount } }`);
      expect(fine.errors).toBeUndefined();
      expect((fine.data as { users: { totalCount: number } }).users.totalCount).toBe(3);
      const before = resolverStatements();
      const deep = await wsRun(client, ELEVEN_DEEP);
      expect(deep.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'depth' });
      const aliases = await wsRun(client, `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`);
      expect(aliases.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'aliases' });
      const first = await wsRun(client, `query($n: Int) { users(first: $n) { totalCount } }`, { n: 501 });
      expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'first' });
      const rows = await wsRun(client, `{ users(first: 500) { edges { node { grants(first: 500) { totalCount } } } } }`);
      expect(rows.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'rows' });
      expect(resolverStatements()).toBe(before);
      expectNoLeak([...(deep.errors ?? []), ...(aliases.errors ?? []), ...(first.errors ?? []), ...(rows.errors ?? [])]);
    } finally {
      await client.dispose();
    }
  });
});

describe('errors carry no internals', () => {
  it('a provoked error of each kind has a code and no stack, Cypher or driver text', async () => {
    const provoked: GraphQLResponse<unknown>[] = [
      await t.request(`{ node(id: "not-an-id") { id } }`),
      await t.request(`{ users(after: "%%%") { totalCount } }`),
      await t.request(`{ users { `),
      await t.request(`query { nope }`),
      await t.request(`mutation { upsertUsers(users: [{ externalId: "", email: "bad", displayName: "" }]) { created } }`),
      await t.request(`{ users { totalCount } }`, {}, 'not-a-token'),
      await t.request(`query($x: Int) { users(first: $x) { totalCount } }`, { x: 'seven' }),
      (await raw(t.url, { headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body: '{"query": ' })).body,
    ];
    for (const body of provoked) {
      expect(body.errors?.length).toBeGreaterThan(0);
      expectNoLeak(body.errors);
    }
  });
});

/**
 * Authorization on every field (issue 7, item 2), proven through the real server on Neo4j: the
 * test reads the printed schema, requires a rule for every Query, Mutation and Subscription field
 * (and for every field of the catalogue types), then runs a real operation per field for each
 * viewer (no token, ADMIN_TOKEN, admins, auditors, users with and without `read`, a request-only
 * and an ingest-only token) and checks allowed (no FORBIDDEN / UNAUTHENTICATED) or refused (that
 * code, and nothing of the refused data in the response). Subscriptions are checked over WebSocket.
 */
import { buildSchema, getNamedType, isObjectType, type GraphQLObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builder } from '../../src/builder.js';
import { cursorOf } from '../../src/events/stream.js';
import { printedSchema } from '../../src/schema/index.js';
import { resetGraph, startTestApp, type GraphQLResponse, type TestApp } from '../helpers/app.js';
import { buildAuthorizationGraph, type Fixture } from '../helpers/authorization-graph.js';
import { catalogueEntry, OPERATIONS } from '../helpers/authorization-operations.js';
import { CATALOGUE, CATALOGUE_TYPES, OBJECT_CHECK_RULES, OBJECT_FIELD_RULES, ROOT_FIELD_RULES, RULES, VIEWERS, type Rule, type ViewerKey } from '../helpers/authorization-rules.js';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { collect, wsClient } from '../helpers/events-ws.js';

/** The close code of a connection without a token (quietly: no console noise from the refused socket). */
function closeCodeWithoutToken(httpUrl: string): Promise<number> {
  return new Promise((resolve) => {
    const client = createClient({
      url: httpUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => {},
      on: { closed: (event) => resolve((event as { code: number }).code) },
    });
    client.subscribe({ query: '{ __typename }' }, { next: () => {}, error: () => {}, complete: () => {} });
  });
}

const schema = buildSchema(printedSchema());
const ROOTS = ['Query', 'Mutation', 'Subscription'] as const;
const rootFields = ROOTS.flatMap((root) => Object.keys((schema.getType(root) as GraphQLObjectType).getFields()).map((name) => `${root}.${name}`));
const catalogueFields = CATALOGUE_TYPES.flatMap((type) => Object.keys((schema.getType(type) as GraphQLObjectType).getFields()).map((name) => `${type}.${name}`));

let t: TestApp;
let f: Fixture;
/** Checks made: fields (or visibility cases) x viewers, by section. */
const counts = { root: new Set<string>(), object: new Set<string>(), catalogue: new Set<string>(), checks: { root: 0, object: 0, catalogue: 0 } };

beforeAll(async () => {
  // Hundreds of requests from a handful of tokens: the rate limiter is not what is tested here.
  t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0', QUERY_MAX_COST: '1000000' });
  await resetGraph(t.app);
  f = await buildAuthorizationGraph(t);
});
afterAll(async () => {
  const { checks } = counts;
  console.log(
    `authorization walk: ${counts.root.size} root fields, ${counts.object.size} restricted object fields / visibility cases, ${counts.catalogue.size} catalogue fields ` +
      `x ${VIEWERS.length} viewers = ${checks.root + checks.object + checks.catalogue} checks (${checks.root} root, ${checks.object} object, ${checks.catalogue} catalogue)`,
  );
  await t?.stop();
});

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let value: unknown = data;
  for (const key of path) {
    if (value === null || value === undefined) return value;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/** Allowed: no FORBIDDEN / UNAUTHENTICATED (other errors are the operation's own). Refused: the code, and null where it was refused. */
function expectOutcome(key: string, viewer: ViewerKey, rule: Rule, body: GraphQLResponse<unknown>): void {
  const context = `${key} as ${viewer} (rule ${rule.name}): ${JSON.stringify(body).slice(0, 600)}`;
  const codes = (body.errors ?? []).map((e) => e.extensions?.code);
  expect(codes, context).not.toContain('INTERNAL');
  if (rule.allowed.includes(viewer)) {
    expect(
      codes.filter((c) => c === 'FORBIDDEN' || c === 'UNAUTHENTICATED'),
      context,
    ).toEqual([]);
    return;
  }
  const expected = viewer === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
  expect(codes, context).toContain(expected);
  for (const error of body.errors!.filter((e) => e.extensions?.code === expected)) {
    if (error.path) expect(valueAt(body.data, error.path) ?? null, context).toBeNull();
  }
}

async function runFor(key: string, rule: Rule, section: 'root' | 'object'): Promise<void> {
  const build = OPERATIONS[key];
  expect(build, `no operation for ${key}`).toBeDefined();
  for (const viewer of VIEWERS) {
    const op = await build!({ t, f, viewer });
    const body = await t.request(op.query, op.variables ?? {}, f.token[viewer]);
    expectOutcome(key, viewer, rule, body);
    counts.checks[section] += 1;
  }
  counts[section].add(key);
}

describe('the rule table covers the printed schema', () => {
  it('every Query, Mutation and Subscription field has a rule and an operation (a new field without one fails here)', () => {
    expect(rootFields.length).toBeGreaterThan(40);
    expect(rootFields.filter((field) => !ROOT_FIELD_RULES[field]), 'root fields without a rule in test/helpers/authorization-rules.ts').toEqual([]);
    expect(rootFields.filter((field) => !field.startsWith('Subscription.') && !OPERATIONS[field]), 'root fields without an operation').toEqual([]);
  });

  it('every field of the catalogue types is either catalogue or restricted by a rule', () => {
    expect(catalogueFields.filter((field) => !OBJECT_FIELD_RULES[field]), 'catalogue-type fields without a rule').toEqual([]);
    for (const [field, rule] of Object.entries(OBJECT_FIELD_RULES)) {
      if (rule !== CATALOGUE) expect(OPERATIONS[field], `no operation for ${field}`).toBeDefined();
    }
  });

  it('no rule names a field the schema no longer has', () => {
    expect(Object.keys(ROOT_FIELD_RULES).filter((field) => !rootFields.includes(field))).toEqual([]);
    expect(Object.keys(OBJECT_FIELD_RULES).filter((field) => !catalogueFields.includes(field))).toEqual([]);
  });

  it('every mutation and subscription field declares its own authScopes (the type default, any token, is never the whole rule)', () => {
    for (const root of ['Mutation', 'Subscription']) {
      const fields = builder.configStore.getFields(root);
      const bare = [...fields.values()].filter((field) => {
        const options = field.pothosOptions as { authScopes?: unknown; subscribe?: unknown };
        // A subscription checks the viewer in its subscribe function (scope-auth runs type scopes per event only).
        return options.authScopes === undefined && !(root === 'Subscription' && options.subscribe);
      });
      expect(
        bare.map((field) => `${root}.${field.name}`),
        'fields relying on the type default only',
      ).toEqual([]);
    }
  });
});

describe('every Query and Mutation field, for every viewer', () => {
  const keys = Object.keys(ROOT_FIELD_RULES).filter((key) => !key.startsWith('Subscription.'));
  for (const key of keys) {
    it(`${key}: ${ROOT_FIELD_RULES[key]!.name}`, async () => {
      await runFor(key, ROOT_FIELD_RULES[key]!, 'root');
    });
  }
});

describe('restricted fields and visibility by id, for every viewer', () => {
  const restricted = Object.entries(OBJECT_FIELD_RULES).filter((entry): entry is [string, Rule] => entry[1] !== CATALOGUE);
  for (const [key, rule] of [...restricted, ...Object.entries(OBJECT_CHECK_RULES)]) {
    it(`${key}: ${rule.name}`, async () => {
      await runFor(key, rule, 'object');
    });
  }

  it('a USER reading another user\'s grant or task by id gets nothing of it: not its user, entitlement or state', async () => {
    for (const viewer of ['userFull', 'userNoRead', 'userRequestOnly', 'ingestOnly'] as const) {
      for (const id of [f.grantOf.carol!, f.carolPrivateTask]) {
        const body = await t.request(`query($id: ID!) { node(id: $id) { id ... on Grant { user { id } } ... on Task { state user { id } } } }`, { id }, f.token[viewer]);
        expect(body.errors?.[0]?.extensions?.code, viewer).toBe('FORBIDDEN');
        expect((body.data as any)?.node ?? null).toBeNull();
        expect(JSON.stringify(body)).not.toContain(f.user.carol!);
        const many = await t.request(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [id, f.app.crm] }, f.token[viewer]);
        expect((many.data as any).nodes, viewer).toEqual([null, { id: f.app.crm }]);
      }
    }
  });

  it('the catalogue is readable by id by every authenticated viewer: apps, entitlements, profiles, policies, users\' names', async () => {
    const ids = [f.app.crm, f.ent['crm-admin'], f.sales, f.policy.panel, f.user.carol];
    for (const viewer of VIEWERS.filter((v) => v !== 'anonymous')) {
      const body = await t.request(`query($ids: [ID!]!) { nodes(ids: $ids) { id ... on User { displayName } } }`, { ids }, f.token[viewer]);
      expect(body.errors, viewer).toBeUndefined();
      expect((body.data as any).nodes.map((n: any) => n.id)).toEqual(ids);
    }
  });
});

describe('every field of the catalogue types, for every viewer', () => {
  for (const type of CATALOGUE_TYPES) {
    it(`${type}: its catalogue fields are read by every authenticated viewer`, async () => {
      const objectType = schema.getType(type) as GraphQLObjectType;
      for (const [name, field] of Object.entries(objectType.getFields())) {
        const key = `${type}.${name}`;
        if (OBJECT_FIELD_RULES[key] !== CATALOGUE) continue;
        const named = getNamedType(field.type);
        const selection = isObjectType(named) ? (named.getFields().totalCount ? `${name} { totalCount }` : `${name} { __typename }`) : name;
        const entry = catalogueEntry(f, type);
        const rule: Rule = { name: 'CATALOGUE', allowed: VIEWERS.filter((v) => v !== 'anonymous') };
        for (const viewer of VIEWERS) {
          const body = await t.request(`query($id: ID!) { node(id: $id) { id ${entry.wrap(selection)} } }`, { id: entry.id }, f.token[viewer]);
          expectOutcome(key, viewer, rule, body);
          if (viewer !== 'anonymous') expect(body.errors, `${key} as ${viewer}`).toBeUndefined();
          counts.checks.catalogue += 1;
        }
        counts.catalogue.add(key);
      }
    });
  }
});

describe('the CSV exports (HTTP, outside GraphQL), for every viewer', () => {
  it('GET /export/<report>.csv: admins and auditors with read; 401 without a token, 403 for the others', async () => {
    const base = t.url.replace(/\/graphql$/, '');
    for (const viewer of VIEWERS) {
      const token = f.token[viewer];
      const response = await fetch(`${base}/export/unjustified-grants.csv`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      const expected = RULES.READ_ALL.allowed.includes(viewer) ? 200 : viewer === 'anonymous' ? 401 : 403;
      expect(response.status, viewer).toBe(expected);
      await response.text();
    }
  });
});

describe('subscriptions over WebSocket, for every viewer', () => {
  const SUBSCRIPTIONS: Record<string, string> = {
    'Subscription.taskEvents': `subscription($after: String) { taskEvents(after: $after) { type task { id } } }`,
    'Subscription.syncEvents': `subscription($after: String) { syncEvents(after: $after) { type runId } }`,
  };

  it('the table has an operation for every subscription', () => {
    expect(rootFields.filter((field) => field.startsWith('Subscription.') && !SUBSCRIPTIONS[field])).toEqual([]);
  });

  for (const [key, query] of Object.entries(SUBSCRIPTIONS)) {
    it(`${key}: ${ROOT_FIELD_RULES[key]!.name} (allowed ones start and replay what they may see; refused ones error)`, async () => {
      const rule = ROOT_FIELD_RULES[key]!;
      const field = key.split('.')[1]!;
      for (const viewer of VIEWERS) {
        const token = f.token[viewer];
        if (token === null) {
          // No token: the connection itself is refused (graphql-ws closes it with 4403).
          expect(await closeCodeWithoutToken(t.url)).toBe(4403);
        } else {
          const client = wsClient(t.url, token);
          const collector = collect(client, field, query, { after: cursorOf(0) });
          try {
            if (rule.allowed.includes(viewer)) {
              await collector.until((events) => events.length > 0);
              expect(collector.errors(), `${key} as ${viewer}`).toEqual([]);
            } else {
              await collector.completed;
              expect(collector.events(), `${key} as ${viewer}`).toEqual([]);
              expect(
                collector.errors().map((e) => e.extensions?.code),
                `${key} as ${viewer}`,
              ).toContain('FORBIDDEN');
            }
          } finally {
            collector.stop();
            await client.dispose();
          }
        }
        counts.checks.root += 1;
      }
      counts.root.add(key);
    });
  }
});

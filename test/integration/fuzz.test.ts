/**
 * Bad input is the client's error, never ours: a few hundred generated bad requests — every query
 * and mutation of the schema with arguments of the wrong type, huge and fractional numbers, bad
 * cursors and ids, strange strings, as variables and as literals; malformed JSON bodies and
 * query strings — and not one answers INTERNAL or a 5xx. The generator is seeded (FUZZ_SEED
 * replays a run); a failure names the request that caused it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLArgument, GraphQLField, GraphQLInputType, GraphQLNamedType, GraphQLObjectType } from 'graphql';
import { buildSchema } from '../../src/schema/index.js';
import { ADMIN_TOKEN, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { seededRandom } from '../helpers/random.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const OPERATIONS = 250;
const MALFORMED = 100;
const AT_ONCE = 8;

let t: TestApp;
beforeAll(async () => {
  // No rate limit: the fuzzer sends more than a burst.
  t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0' });
  await resetGraph(t.app);
  await t.admin(`mutation { upsertUsers(users: [{ externalId: "f1", email: "f1@x.example", displayName: "F" }]) { created } }`);
});
afterAll(async () => t?.stop());

const random = seededRandom(SEED);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const chance = (p: number): boolean => random() < p;
const b64 = (text: string): string => Buffer.from(text).toString('base64');

const HUGE_NUMBERS = [2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 1, -1, 0, 1.5, 1e308, -1e308, 99999999999999];
const STRINGS = ['', ' ', 'x'.repeat(3000), '\u0000', '\uD800', '😀'.repeat(50), "'; MATCH (n) DETACH DELETE n //", '{"a":1}', '%7B', '\\', 'null', '-1', '1e999'];
const CURSORS = [b64('c:99999999999'), b64('c:99999999999999999999999999'), b64('c:-5'), b64('c:1.5'), b64('c:'), b64('x:1'), 'Yzo5OTk5OTk5OTk5OQ==', '%%%', '', 'Yzo', b64('c:' + 'x'.repeat(500))];
const IDS = [b64('Task:nope'), b64('User:'), b64('User:00000000-0000-0000-0000-000000000000'), b64('Nope:1'), b64(':'), 'not-base64!', '', '==', b64('SyncRun:' + 'x'.repeat(300)), '12345'];
const DATES = ['not a date', '2026-13-45T99:99:99Z', '0000-00-00', '+275760-09-13T00:00:00.001Z', '2026-12-02', ''];

function named(type: GraphQLInputType): { nonNull: boolean; list: boolean; base: GraphQLNamedType } {
  let current = type as unknown as { ofType?: unknown; toString(): string };
  const nonNull = String(current).endsWith('!');
  let list = false;
  while (current.ofType) {
    if (String(current).startsWith('[')) list = true;
    current = current.ofType as typeof current;
  }
  return { nonNull, list, base: current as unknown as GraphQLNamedType };
}

/** A value for an argument: mostly of its type but bad (huge, malformed), sometimes of another type. */
function valueFor(type: GraphQLInputType, argName: string, depth = 0): unknown {
  const { list, base } = named(type);
  if (list && !chance(0.15)) return Array.from({ length: pick([0, 1, 2, 3]) }, () => (chance(0.1) ? null : valueFor(base as GraphQLInputType, argName, depth + 1)));
  if (chance(0.12)) return pick<unknown>([null, 42, 'text', true, {}, [], 1e308]);
  if (/^(after|before)$/.test(argName)) return pick(CURSORS);
  const name = base.name;
  if (name === 'Int' || name === 'Float') return pick(HUGE_NUMBERS);
  if (name === 'Boolean') return pick([true, false]);
  if (name === 'ID') return pick(IDS);
  if (name === 'String') return pick(STRINGS);
  if (name === 'DateTime') return pick(DATES);
  if ('getValues' in base && typeof base.getValues === 'function') return chance(0.7) ? pick(base.getValues()).value : pick(['NOPE', '', 'pending_approval']);
  if ('getFields' in base && typeof base.getFields === 'function' && depth < 3) {
    const fields = Object.values(base.getFields() as Record<string, { name: string; type: GraphQLInputType }>);
    return Object.fromEntries(fields.filter((f) => String(f.type).endsWith('!') || chance(0.5)).map((f) => [f.name, valueFor(f.type, f.name, depth + 1)]));
  }
  return pick(STRINGS);
}

/** A GraphQL literal for a value (the same bad values, written into the document). */
function literal(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object') return `{ ${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}: ${literal(v)}`).join(', ')} }`;
  if (typeof value === 'string') return /^[A-Z][A-Z_]+$/.test(value) ? value : JSON.stringify(value);
  return String(value);
}

function selectionOf(field: GraphQLField<unknown, unknown>): string {
  const base = named(field.type as unknown as GraphQLInputType).base;
  return 'getFields' in base || 'getTypes' in base ? ' { __typename }' : '';
}

function operationFor(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): { query: string; variables: Record<string, unknown> } {
  const args = field.args.filter((a: GraphQLArgument) => String(a.type).endsWith('!') || chance(0.6));
  const asVariables = chance(0.7);
  const variables: Record<string, unknown> = {};
  const declared: string[] = [];
  const passed = args.map((arg) => {
    const value = valueFor(arg.type, arg.name);
    if (!asVariables) return `${arg.name}: ${literal(value)}`;
    declared.push(`$${arg.name}: ${String(arg.type)}`);
    variables[arg.name] = value;
    return `${arg.name}: $${arg.name}`;
  });
  const header = declared.length > 0 ? `(${declared.join(', ')})` : '';
  const call = passed.length > 0 ? `(${passed.join(', ')})` : '';
  return { query: `${kind} Fuzz${header} { ${field.name}${call}${selectionOf(field)} }`, variables };
}

interface Answer {
  what: string;
  status: number;
  body: { errors?: { message: string; extensions?: Record<string, unknown> }[] } | null;
}

async function send(what: string, init: RequestInit & { url?: string }): Promise<Answer> {
  const response = await fetch(init.url ?? t.url, init);
  const text = await response.text();
  let body: Answer['body'] = null;
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    body = null;
  }
  return { what, status: response.status, body };
}

const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` };

function generated(): (() => Promise<Answer>)[] {
  const schema = buildSchema();
  const roots: ['query' | 'mutation', GraphQLObjectType][] = [
    ['query', schema.getQueryType()!],
    ['mutation', schema.getMutationType()!],
  ];
  const fields = roots.flatMap(([kind, type]) => Object.values(type.getFields()).map((field) => [kind, field] as const));
  const requests: (() => Promise<Answer>)[] = [];
  for (let i = 0; i < OPERATIONS; i++) {
    const [kind, field] = fields[i % fields.length]!;
    const operation = operationFor(kind, field);
    const anonymous = chance(0.1);
    const headers = anonymous ? { 'content-type': 'application/json' } : HEADERS;
    requests.push(() => send(JSON.stringify(operation), { method: 'POST', headers, body: JSON.stringify(operation) }));
  }
  const valid = JSON.stringify({ query: '{ users(first: 2) { totalCount } }', variables: { a: 1 } });
  const getBase = t.url;
  for (let i = 0; i < MALFORMED; i++) {
    const form = i % 4;
    if (form === 0) {
      // A valid body cut short, or with a byte changed.
      const cut = valid.slice(0, Math.floor(random() * valid.length));
      const body = chance(0.5) ? cut : valid.replace(valid[Math.floor(random() * valid.length)]!, pick(['{', '"', '\\', ']', '\u0000']));
      requests.push(() => send(`POST ${body}`, { method: 'POST', headers: HEADERS, body }));
    } else if (form === 1) {
      const body = JSON.stringify({ query: pick(['{ users { totalCount } }', '{', '', 5]), variables: pick<unknown>(['{', 5, [], 'x', null, { first: 1e308 }]), extensions: pick<unknown>(['{', 5, [], null, { persistedQuery: 'x' }]) });
      requests.push(() => send(`POST ${body}`, { method: 'POST', headers: HEADERS, body }));
    } else {
      const params = new URLSearchParams();
      params.set('query', pick(['{__typename}', '{ users { totalCount } }', '{', 'mutation { emptyProfiles { totalCount } }', '']));
      if (chance(0.8)) params.set('variables', pick(['{', '[', '"x"', '5', '{"a":', 'null', '{}', '%7B', '\u0000']));
      if (chance(0.5)) params.set('extensions', pick(['{', '[]', '"x"', '{"persistedQuery":{"sha256Hash":5}}', '{}']));
      if (chance(0.3)) params.set('operationName', pick(['', 'X', '{']));
      const url = `${getBase}?${params}`;
      requests.push(() => send(`GET ${url}`, { url, method: 'GET', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-graphql-csrf': '1' } }));
    }
  }
  return requests;
}

async function runAll(requests: (() => Promise<Answer>)[]): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: AT_ONCE }, async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        answers.push(await request());
      }
    }),
  );
  return answers;
}

describe(`fuzzing the API with bad input (seed ${SEED})`, () => {
  it('answers every bad request with a contract code and no 5xx: never INTERNAL', async () => {
    const answers = await runAll(generated());
    expect(answers.length).toBe(OPERATIONS + MALFORMED);
    const bad = answers.filter(
      (a) => a.status >= 500 || a.body === null || (a.body.errors ?? []).some((e) => e.extensions?.code === 'INTERNAL' || typeof e.extensions?.code !== 'string'),
    );
    expect(bad.map((a) => ({ request: a.what.slice(0, 400), status: a.status, errors: a.body?.errors?.slice(0, 2) }))).toEqual([]);
    // The fuzzer did reach the resolvers' own checks, not only the parser's.
    expect(answers.some((a) => (a.body?.errors ?? []).some((e) => e.extensions?.code === 'BAD_USER_INPUT' && /cursor|id/i.test(e.message)))).toBe(true);
  });
});

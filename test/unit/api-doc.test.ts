/** docs/api.md describes every query, mutation and subscription of the printed schema, and nothing that is not there. */
import { readFileSync } from 'node:fs';
import { buildSchema, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';

const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
const page = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');

describe('docs/api.md', () => {
  for (const root of ['Query', 'Mutation', 'Subscription'] as const) {
    it(`names every ${root} field`, () => {
      const fields = Object.keys((schema.getType(root) as GraphQLObjectType).getFields());
      const missing = fields.filter((name) => !new RegExp('`' + name + '[`(]').test(page));
      expect(missing).toEqual([]);
    });
  }

  it('names no root field the schema lacks', () => {
    const roots = ['Query', 'Mutation', 'Subscription'].flatMap((r) => Object.keys((schema.getType(r) as GraphQLObjectType).getFields()));
    const objectFields = Object.values(schema.getTypeMap()).flatMap((type) => ('getFields' in type && !type.name.startsWith('__') ? Object.keys((type as GraphQLObjectType).getFields()) : []));
    const known = new Set([...roots, ...objectFields, ...Object.keys(schema.getTypeMap())]);
    const named = [...page.matchAll(/^- `(\w+)[`(]/gm)].map((m) => m[1]!);
    expect(named.filter((name) => !known.has(name))).toEqual([]);
  });
});

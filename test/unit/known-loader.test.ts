/**
 * KnownLoader (src/loaders.ts): a DataLoader that answers synchronously for what it loaded or was
 * primed with, and with a promise otherwise; batching, clear and the not-found null unchanged.
 * And the node ids of the schema resolve synchronously, to the Relay plugin's encoding
 * (src/sync-node-ids.ts), inside the scope-auth checks of their type.
 */
import { describe, expect, it } from 'vitest';
import { KnownLoader, getAll } from '../../src/loaders.js';
import { encodeGlobalId } from '../../src/ids.js';
import { buildSchema } from '../../src/schema/index.js';

function loaderOf(store: Record<string, string>) {
  const batches: string[][] = [];
  const loader = new KnownLoader<string | null>(async (keys) => {
    batches.push([...keys]);
    return keys.map((k) => store[k] ?? null);
  });
  return { loader, batches };
}

describe('KnownLoader', () => {
  it('answers a primed or loaded key synchronously, any other with one batched promise', async () => {
    const { loader, batches } = loaderOf({ a: 'A', b: 'B' });
    loader.prime('p', 'P');
    expect(loader.get('p')).toBe('P');
    const pending = [loader.get('a'), loader.get('b'), loader.get('ghost')];
    expect(pending.every((v) => v instanceof Promise)).toBe(true);
    expect(await Promise.all(pending)).toEqual(['A', 'B', null]);
    expect(batches).toEqual([['a', 'b', 'ghost']]);
    // Loaded now: synchronous, not found included; no second batch.
    expect([loader.get('a'), loader.get('ghost')]).toEqual(['A', null]);
    expect(batches).toHaveLength(1);
  });

  it('forgets what is cleared, keeps the first value primed as DataLoader does, and ignores primed errors and promises', async () => {
    const { loader, batches } = loaderOf({ a: 'new' });
    loader.prime('a', 'old');
    loader.prime('a', 'other');
    expect(loader.get('a')).toBe('old');
    loader.clear('a');
    expect(await loader.get('a')).toBe('new');
    expect(batches).toEqual([['a']]);
    loader.prime('e', new Error('no'));
    const refused = loader.get('e');
    expect(refused).toBeInstanceOf(Promise);
    await expect(refused).rejects.toThrow('no');
    loader.prime('q', Promise.resolve('Q'));
    expect(await loader.get('q')).toBe('Q');
    loader.clearAll();
    expect(loader.get('a')).toBeInstanceOf(Promise);
  });

  it('getAll answers synchronously when every id is known, dropping the missing, and with a promise otherwise', async () => {
    const { loader } = loaderOf({ a: 'A' });
    loader.prime('x', 'X');
    loader.prime('gone', null);
    expect(getAll(loader, ['x', 'gone'])).toEqual(['X']);
    const later = getAll(loader, ['x', 'a']);
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toEqual(['X', 'A']);
  });
});

describe('node ids', () => {
  it('resolve synchronously to the Relay encoding, inside the type scope checks', () => {
    const schema = buildSchema();
    const info = (type: string) => ({ parentType: schema.getType(type), fieldName: 'id', path: { key: 'id' } });
    for (const type of ['User', 'App', 'Entitlement', 'AccessProfile', 'Policy']) {
      const resolve = (schema.getType(type) as any).getFields().id.resolve;
      expect(resolve({ id: 'raw-1' }, {}, { viewer: null }, info(type)), type).toBe(encodeGlobalId(type, 'raw-1'));
    }
    // A grant is visible to its holder and to those who read everything: its id too.
    const grantId = (schema.getType('Grant') as any).getFields().id.resolve;
    expect(() => grantId({ id: 'g', userId: 'u' }, {}, { viewer: null }, info('Grant'))).toThrow();
  });
});

/** Opaque global ids and connection cursors: round trips, and bad input refused as BAD_USER_INPUT. */
import { describe, expect, it } from 'vitest';
import { decodeGlobalId, encodeGlobalId, newId, rawIdOf } from '../../src/ids.js';
import { decodeCursor, encodeCursor } from '../../src/schema/connection.js';

const codeOfThrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (error) {
    return (error as { extensions?: { code?: unknown } }).extensions?.code;
  }
  return 'did not throw';
};

describe('global ids', () => {
  it('round-trip a type and a raw id, also one holding colons', () => {
    const raw = newId();
    expect(decodeGlobalId(encodeGlobalId('User', raw))).toEqual({ type: 'User', id: raw });
    expect(decodeGlobalId(encodeGlobalId('Grant', 'a:b:c'))).toEqual({ type: 'Grant', id: 'a:b:c' });
    expect(rawIdOf('AccessProfile', encodeGlobalId('AccessProfile', raw))).toBe(raw);
  });

  it('are opaque: the type and id are not readable as they are', () => {
    const id = encodeGlobalId('User', 'abc');
    expect(id).not.toContain('User');
    expect(id).not.toContain(':');
  });

  it('refuse garbage, an empty id and a missing part with BAD_USER_INPUT', () => {
    for (const bad of ['', 'garbage', encodeGlobalId('User', '').slice(0, 4), Buffer.from(':abc').toString('base64'), Buffer.from('User:').toString('base64')]) {
      expect(codeOfThrown(() => decodeGlobalId(bad)), JSON.stringify(bad)).toBe('BAD_USER_INPUT');
    }
  });

  it('refuse an id of another type where one type is expected', () => {
    expect(codeOfThrown(() => rawIdOf('Policy', encodeGlobalId('User', 'x')))).toBe('BAD_USER_INPUT');
  });

  it('newId gives distinct uuids', () => {
    const ids = new Set(Array.from({ length: 1000 }, newId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('cursors', () => {
  it('round-trip an id and refuse anything else', () => {
    expect(decodeCursor(encodeCursor('0b7c'))).toBe('0b7c');
    expect(decodeCursor(null)).toBeNull();
    expect(decodeCursor(undefined)).toBeNull();
    expect(codeOfThrown(() => decodeCursor('garbage'))).toBe('BAD_USER_INPUT');
  });
});

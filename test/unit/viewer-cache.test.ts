/**
 * ViewerCache (src/auth/viewer-cache.ts): a token's viewer is kept AUTH_CACHE_MS at most; the
 * credential events that concern it end it at once, and a read that began before one is not kept.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ViewerCache } from '../../src/auth/viewer-cache.js';
import type { Viewer } from '../../src/auth/viewer.js';

const viewer = (userId: string, tokenId: string): Viewer => ({ userId, role: 'USER', scopes: new Set(['read']), tokenId });

afterEach(() => {
  vi.useRealTimers();
});

describe('ViewerCache', () => {
  it('keeps a viewer for its time, then reads again', () => {
    vi.useFakeTimers();
    const cache = new ViewerCache(1000);
    const v = viewer('u1', 't1');
    cache.keep('h1', v, cache.mark());
    expect(cache.get('h1')).toBe(v);
    vi.advanceTimersByTime(999);
    expect(cache.get('h1')).toBe(v);
    vi.advanceTimersByTime(1);
    expect(cache.get('h1')).toBeUndefined();
  });

  it('keeps nothing at 0 ms', () => {
    const cache = new ViewerCache(0);
    cache.keep('h1', viewer('u1', 't1'), cache.mark());
    expect(cache.get('h1')).toBeUndefined();
  });

  it('ends a revoked token, and every token of a disabled or re-roled user; the others stay', () => {
    const cache = new ViewerCache(60_000);
    const entries: [string, Viewer][] = [['h1', viewer('u1', 't1')], ['h2', viewer('u1', 't2')], ['h3', viewer('u2', 't3')], ['h4', viewer('u3', 't4')], ['h5', viewer('u4', 't5')]];
    for (const [hash, v] of entries) cache.keep(hash, v, cache.mark());
    cache.changed([{ type: 'TOKEN_REVOKED', userId: 'u1', payload: { tokenId: 't1' } }, { type: 'TASK_CREATED', userId: 'u4', payload: {} }]);
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')).toBeDefined();
    cache.changed([{ type: 'USER_DISABLED', userId: 'u2' }, { type: 'USER_ROLE_CHANGED', userId: 'u3', payload: { role: 'ADMIN' } }]);
    expect(cache.get('h3')).toBeUndefined();
    expect(cache.get('h4')).toBeUndefined();
    expect(cache.get('h2')).toBeDefined();
    expect(cache.get('h5')).toBeDefined();
  });

  it('does not keep a read that began before a credential change', () => {
    const cache = new ViewerCache(60_000);
    const mark = cache.mark();
    cache.changed([{ type: 'TOKEN_REVOKED', userId: 'u1', payload: { tokenId: 't1' } }]);
    cache.keep('h1', viewer('u1', 't1'), mark);
    expect(cache.get('h1')).toBeUndefined();
    // An unrelated event does not move the mark.
    const later = cache.mark();
    cache.changed([{ type: 'TASK_DONE', userId: 'u1' }]);
    cache.keep('h1', viewer('u1', 't1'), later);
    expect(cache.get('h1')).toBeDefined();
  });
});

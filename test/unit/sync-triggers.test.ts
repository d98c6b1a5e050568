/**
 * The near-real-time trigger's timing rule, on fake timers (no Neo4j): the first change of a burst
 * syncs at once (leading edge), the changes within SYNC_DEBOUNCE_MS after it coalesce into one
 * more flush at the window's end (trailing edge), and a quiet window flushes nothing.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../src/db/database.js';
import type { UnitOfWork } from '../../src/db/unit-of-work.js';
import { createLogger } from '../../src/logger.js';
import type { SyncService } from '../../src/sync/runner.js';
import { SyncTriggers } from '../../src/sync/triggers.js';

const DEBOUNCE = 2000;

function harness() {
  const synced: string[][] = [];
  let listener: ((unit: UnitOfWork) => void) | null = null;
  // The condition of profile 'p-<x>' is entitlement '<x>'.
  const db = {
    onCommitted: (l: (unit: UnitOfWork) => void) => (listener = l),
    read: async (_unit: string, work: (tx: unknown) => Promise<unknown>) =>
      work({ run: async (_name: string, params: { entitlementIds: string[] }) => params.entitlementIds.map((id) => ({ id: `p-${id}` })) }),
  } as unknown as Database;
  let flush: string[] = [];
  const sync = {
    sync: async (profileId: string) => {
      flush.push(profileId);
      return { kind: 'run' };
    },
  } as unknown as SyncService;
  const triggers = new SyncTriggers({ db, config: { syncDebounceMs: DEBOUNCE, syncIntervalSeconds: 3600, syncReconcileSeconds: 86400 }, logger: createLogger('error') }, sync);
  triggers.start();
  const commit = (...entitlementIds: string[]) => listener!({ changedEntitlementIds: new Set(entitlementIds) } as unknown as UnitOfWork);
  /** Lets the flushes started so far run to their end; returns the profiles synced since the last call, grouped by flush. */
  const settle = async () => {
    await vi.advanceTimersByTimeAsync(0);
    if (flush.length > 0) synced.push(flush);
    flush = [];
    const out = [...synced];
    synced.length = 0;
    return out;
  };
  return { triggers, commit, settle };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('holders-changed trigger', () => {
  it('syncs the first change at once, without waiting for the debounce', async () => {
    const { triggers, commit, settle } = harness();
    commit('a');
    expect(await settle()).toEqual([['p-a']]);
    // Nothing pending: the open window keeps nobody waiting.
    expect(triggers.busy).toBe(false);
    await triggers.stop();
  });

  it('coalesces the changes within the window into one flush at its end, one sync per profile', async () => {
    const { triggers, commit, settle } = harness();
    commit('a');
    expect(await settle()).toEqual([['p-a']]);
    await vi.advanceTimersByTimeAsync(500);
    commit('a');
    commit('b');
    commit('a');
    expect(await settle(), 'within the window nothing more runs').toEqual([]);
    expect(triggers.busy).toBe(true);
    await vi.advanceTimersByTimeAsync(DEBOUNCE - 500);
    const trailing = await settle();
    expect(trailing).toHaveLength(1);
    expect([...trailing[0]!].sort()).toEqual(['p-a', 'p-b']);
    await triggers.stop();
  });

  it('after a quiet window the next change is a leading edge again', async () => {
    const { triggers, commit, settle } = harness();
    commit('a');
    await settle();
    await vi.advanceTimersByTimeAsync(DEBOUNCE);
    expect(await settle(), 'a quiet window flushes nothing').toEqual([]);
    commit('b');
    expect(await settle()).toEqual([['p-b']]);
    await triggers.stop();
  });
});

/** The registry of open connections: one cap across transports, credential events, the bounded re-read. */
import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../src/auth/viewer.js';
import type { Delivery, StoredEvent } from '../../src/events/records.js';
import { createLogger } from '../../src/logger.js';
import { LiveConnections } from '../../src/security/live.js';
import { WsConnectionLimiter } from '../../src/security/ws.js';

const alice: Viewer = { userId: 'alice', role: 'AUDITOR', scopes: new Set(['read']), tokenId: 't1' };
const aliceOther: Viewer = { ...alice, tokenId: 't2' };
const bob: Viewer = { userId: 'bob', role: 'USER', scopes: new Set(['read']), tokenId: 't3' };

function delivery(type: StoredEvent['type'], userId: string, payload: Record<string, unknown> | null = null): Delivery {
  return { event: { seq: 1, type, at: '', taskId: null, runId: null, profileId: null, userId, payload }, task: null };
}

function registry(states: Map<string, Viewer | null> = new Map(), max = 2, recheckMs = 60_000) {
  const reads: string[][] = [];
  let gate: Promise<void> = Promise.resolve();
  const auth = {
    currentViewers: async (ids: readonly string[]) => {
      reads.push([...ids]);
      await gate;
      return new Map(ids.map((id) => [id, states.has(id) ? states.get(id)! : null]));
    },
  };
  const live = new LiveConnections({ auth, limiter: new WsConnectionLimiter(max), logger: createLogger('error'), recheckMs });
  return { live, reads, hold: (until: Promise<void>) => (gate = until) };
}

describe('LiveConnections', () => {
  it('counts WebSockets and SSE streams of a user together, and frees a slot on release', () => {
    const { live } = registry();
    const ws = live.admit('ws', alice, () => {});
    expect(live.admit('sse', aliceOther, () => {})).not.toBeNull();
    expect(live.admit('sse', alice, () => {})).toBeNull();
    expect(live.admit('ws', bob, () => {})).not.toBeNull();
    live.release(ws!);
    live.release(ws!);
    expect(live.admit('sse', alice, () => {})).not.toBeNull();
    live.stop();
  });

  it('closes the connections of a revoked token (only those) and of a disabled user, and ends their subscriptions', () => {
    const { live } = registry(new Map(), 5);
    const closed: string[] = [];
    const first = live.admit('ws', alice, (reason) => closed.push(`t1: ${reason}`))!;
    const second = live.admit('sse', aliceOther, (reason) => closed.push(`t2: ${reason}`))!;
    const ended: string[] = [];
    second.track({ ended: false, end: (error) => ended.push(error.message) });
    live.credentialChanged([delivery('TOKEN_REVOKED', 'alice', { tokenId: 't1' })]);
    expect(closed).toEqual(['t1: The token was revoked']);
    expect(first.viewer).toBeNull();
    expect(second.viewer?.tokenId).toBe('t2');
    live.credentialChanged([delivery('USER_DISABLED', 'alice')]);
    expect(closed).toEqual(['t1: The token was revoked', 't2: The user was disabled']);
    expect(ended).toEqual(['The user was disabled']);
    live.stop();
  });

  it('applies a new role at once, and a re-read started before it does not undo it', async () => {
    const states = new Map<string, Viewer | null>([['t1', alice]]);
    const { live, hold } = registry(states, 5, 0);
    const connection = live.admit('ws', alice, () => {})!;
    let release: () => void = () => {};
    hold(new Promise<void>((resolve) => (release = resolve)));
    const reading = live.current(connection);
    live.credentialChanged([delivery('USER_ROLE_CHANGED', 'alice', { role: 'USER', previousRole: 'AUDITOR' })]);
    expect(connection.viewer?.role).toBe('USER');
    release();
    expect((await reading)?.role).toBe('USER');
    live.stop();
  });

  it('re-reads every open connection in one read, and closes those whose token no longer holds', async () => {
    const states = new Map<string, Viewer | null>([['t1', { ...alice, role: 'USER' }], ['t3', null]]);
    const { live, reads } = registry(states, 5);
    const closed: string[] = [];
    const a = live.admit('ws', alice, () => closed.push('alice'))!;
    live.admit('sse', bob, () => closed.push('bob'));
    await live.recheck();
    expect(reads).toEqual([['t1', 't3']]);
    expect(a.viewer?.role).toBe('USER');
    expect(closed).toEqual(['bob']);
    live.stop();
  });
});

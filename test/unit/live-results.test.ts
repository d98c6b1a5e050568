/** The memo of shared event executions and the visibility class it is keyed by (src/events/live-results.ts). */
import { describe, expect, it } from 'vitest';
import type { ExecutionResult } from 'graphql';
import { bootstrapAdmin, visibilityClassOf, type Viewer } from '../../src/auth/viewer.js';
import type { Delivery } from '../../src/events/records.js';
import { SharedResults } from '../../src/events/live-results.js';

const admin: Viewer = { userId: 'ann', role: 'ADMIN', scopes: new Set(['read', 'admin']), tokenId: 't1' };
const otherAdmin: Viewer = { userId: 'bo', role: 'ADMIN', scopes: new Set(['admin', 'read']), tokenId: 't2' };
const auditor: Viewer = { userId: 'cy', role: 'AUDITOR', scopes: new Set(['read', 'admin']), tokenId: 't3' };
const user: Viewer = { userId: 'dee', role: 'USER', scopes: new Set(['read']), tokenId: 't4' };
const sameUserOtherToken: Viewer = { ...user, tokenId: 't5' };
const otherUser: Viewer = { ...user, userId: 'eve' };

const delivery = (seq: number): Delivery => ({ event: { seq, type: 'TASK_CREATED', at: '', taskId: 'task', runId: null, profileId: null, userId: 'dee', payload: null }, task: null });

describe('visibilityClassOf', () => {
  it('puts readers of everything together by role and scopes, whoever they are', () => {
    expect(visibilityClassOf(admin)).toBe(visibilityClassOf(otherAdmin));
    expect(visibilityClassOf(admin)).not.toBe(visibilityClassOf(auditor));
    expect(visibilityClassOf(admin)).not.toBe(visibilityClassOf(bootstrapAdmin));
    expect(visibilityClassOf({ ...admin, scopes: new Set(['read']) })).not.toBe(visibilityClassOf(admin));
  });

  it('keeps everybody else apart by user, not by token', () => {
    expect(visibilityClassOf(user)).toBe(visibilityClassOf(sameUserOtherToken));
    expect(visibilityClassOf(user)).not.toBe(visibilityClassOf(otherUser));
    // An admin without the read scope reads only what a user may: classed by user.
    const narrowAdmin: Viewer = { ...admin, scopes: new Set(['admin']) };
    expect(visibilityClassOf(narrowAdmin)).not.toBe(visibilityClassOf({ ...narrowAdmin, userId: 'zed' }));
  });

  it('follows a role change (a new Viewer object)', () => {
    const demoted: Viewer = { ...admin, role: 'USER' };
    expect(visibilityClassOf(demoted)).not.toBe(visibilityClassOf(admin));
    expect(visibilityClassOf(demoted)).not.toBe(visibilityClassOf({ ...otherAdmin, role: 'USER' }));
  });
});

describe('SharedResults', () => {
  const result = (label: string): ExecutionResult => ({ data: { label } });

  it('runs one execution per delivered event, operation and class, and hands the same result to each', async () => {
    const results = new SharedResults();
    const runs: string[] = [];
    const run = (label: string) => () => {
      runs.push(label);
      return result(label);
    };
    const d = delivery(1);
    const first = await results.resultFor(d, 'op', 'class-a', run('a'));
    const again = await results.resultFor(d, 'op', 'class-a', run('a-again'));
    expect(again).toBe(first);
    expect((await results.resultFor(d, 'op', 'class-b', run('b'))).data).toEqual({ label: 'b' });
    expect((await results.resultFor(d, 'other-op', 'class-a', run('other-op'))).data).toEqual({ label: 'other-op' });
    // Another delivered event with the same seq (a replay reads its own): never served from this one's memo.
    expect((await results.resultFor(delivery(1), 'op', 'class-a', run('replayed'))).data).toEqual({ label: 'replayed' });
    expect(runs).toEqual(['a', 'b', 'other-op', 'replayed']);
    expect({ executions: results.executions, reused: results.reused }).toEqual({ executions: 4, reused: 1 });
  });

  it('shares one execution between subscribers asking at the same time', async () => {
    const results = new SharedResults();
    let runs = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const run = async () => {
      runs += 1;
      await gate;
      return result('slow');
    };
    const d = delivery(2);
    const waiting = Array.from({ length: 100 }, () => results.resultFor(d, 'op', 'class-a', run));
    release();
    const all = await Promise.all(waiting);
    expect(runs).toBe(1);
    expect(new Set(all).size).toBe(1);
  });

  it('runs an execution alone every time it is asked (a refusal, a viewer no longer valid)', async () => {
    const results = new SharedResults();
    let runs = 0;
    const run = () => {
      runs += 1;
      return result('alone');
    };
    await results.alone(run);
    await results.alone(run);
    expect(runs).toBe(2);
  });
});

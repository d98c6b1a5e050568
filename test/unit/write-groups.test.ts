/** The queue that groups writes arriving together (src/db/write-groups.ts), with a writer that only records what it was given. */
import { describe, expect, it } from 'vitest';
import { WriteGroups, type Settled } from '../../src/db/write-groups.js';

interface Item {
  id: string;
  key?: string;
  rows?: number;
  /** The writer refuses it, throws for the whole group, or leaves it for the next group (once). */
  refuse?: boolean;
  fail?: boolean;
  again?: boolean;
}

/** A writer whose transactions end when the test says so. */
function gatedWriter() {
  const groups: string[][] = [];
  const gates: (() => void)[] = [];
  const againDone = new Set<string>();
  const write = async (items: Item[]): Promise<Settled<string>[]> => {
    groups.push(items.map((i) => i.id));
    await new Promise<void>((resolve) => gates.push(resolve));
    if (items.length > 1 && items.some((i) => i.fail)) throw new Error('the group failed');
    if (items.length === 1 && items[0]!.fail) throw new Error(`${items[0]!.id} failed`);
    return items.map((i) => {
      if (i.refuse) return { refused: new Error(`${i.id} refused`) };
      if (i.again && !againDone.has(i.id)) {
        againDone.add(i.id);
        return { again: true };
      }
      return { value: `${i.id} written` };
    });
  };
  /** Lets every transaction under way end, until nothing is left. */
  const drain = async () => {
    for (let spins = 0; spins < 100; spins += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      while (gates.length > 0) gates.shift()!();
    }
  };
  const openOne = () => gates.shift()?.();
  return { groups, write, drain, openOne, pending: () => gates.length };
}

const settle = <T>(promise: Promise<T>) => promise.then((value) => ({ value }), (error: Error) => ({ error: error.message }));

describe('WriteGroups', () => {
  it('writes a lone item at once, alone', async () => {
    const w = gatedWriter();
    const queue = new WriteGroups<Item, string>(w.write);
    const answer = queue.submit({ id: 'a' });
    expect(w.groups).toEqual([['a']]);
    await w.drain();
    expect(await answer).toBe('a written');
    expect(queue.groups).toBe(1);
  });

  it('groups what arrives while groups are being written, at most inFlight at once, within size and weight', async () => {
    const w = gatedWriter();
    const queue = new WriteGroups<Item, string>(w.write, { limits: { inFlight: 2, size: 3, weight: 9 }, weightOf: (i) => i.rows ?? 1 });
    const answers = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => queue.submit({ id, rows: id === 'f' ? 9 : 1 }));
    expect(w.groups).toEqual([['a'], ['b']]);
    expect(queue.queued).toBe(5);
    w.openOne();
    await new Promise((resolve) => setTimeout(resolve, 1));
    // c, d, e fill the size; f (9 rows, the most) goes alone, then g.
    expect(w.groups[2]).toEqual(['c', 'd', 'e']);
    await w.drain();
    expect(w.groups.slice(3)).toEqual([['f'], ['g']]);
    expect(await Promise.all(answers)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => `${id} written`));
  });

  it('writes one item per key in a group, and an item left for later first in the next', async () => {
    const w = gatedWriter();
    const queue = new WriteGroups<Item, string>(w.write, { limits: { inFlight: 1 }, keyOf: (i) => i.key ?? null });
    const answers = [queue.submit({ id: 'first' }), queue.submit({ id: 'x1', key: 'x' }), queue.submit({ id: 'x2', key: 'x' }), queue.submit({ id: 'later', again: true }), queue.submit({ id: 'y' })];
    await w.drain();
    expect(w.groups).toEqual([['first'], ['x1', 'later', 'y'], ['later', 'x2']]);
    expect(await Promise.all(answers)).toEqual(['first', 'x1', 'x2', 'later', 'y'].map((id) => `${id} written`));
  });

  it("answers a refusal to its own item, and writes a failed group's items again alone", async () => {
    const w = gatedWriter();
    const queue = new WriteGroups<Item, string>(w.write, { limits: { inFlight: 1 } });
    const answers = [{ id: 'lead' }, { id: 'ok' }, { id: 'no', refuse: true }, { id: 'boom', fail: true }, { id: 'fine' }].map((item) => settle(queue.submit(item)));
    await w.drain();
    expect(w.groups).toEqual([['lead'], ['ok', 'no', 'boom', 'fine'], ['ok'], ['no'], ['boom'], ['fine']]);
    expect(await Promise.all(answers)).toEqual([
      { value: 'lead written' },
      { value: 'ok written' },
      { error: 'no refused' },
      { error: 'boom failed' },
      { value: 'fine written' },
    ]);
  });
});

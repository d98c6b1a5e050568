/**
 * Writes that arrive together, written together: an item waits only while `inFlight` groups are
 * being written, and the items that arrived meanwhile go into the next transaction together (at
 * most `size` of them and `weight` rows; an item heavier than that goes alone). A lone item is
 * written at once, alone. Two items with the same key never share a group (the later one waits
 * for the next). What the group's writer answers for each item: its value, its refusal (its own
 * error; the writer changed nothing for it), or `again` (left for the next group, first in line).
 * A group whose writer throws is written again item by item, so that a failure reaches only the
 * item it belongs to. Used by reviewers' decisions (src/workflow/decisions.ts) and partner ingest
 * (src/directory/ingest.ts); docs/decisions.md, "Writes written together".
 */
export type Settled<O> = { value: O } | { refused: unknown } | { again: true };

export interface GroupLimits {
  /** Items per transaction at most. */
  size: number;
  /** Rows per transaction at most (an item's weight; one heavier item goes alone). */
  weight: number;
  /** Groups being written at once. */
  inFlight: number;
}

export const GROUP_LIMITS: GroupLimits = { size: 64, weight: 10_000, inFlight: 2 };

export interface GroupOptions<I> {
  limits?: Partial<GroupLimits>;
  /** Items with the same key are written in separate groups (null: no key). */
  keyOf?: (item: I) => string | null;
  /** An item's rows (1 unless said). */
  weightOf?: (item: I) => number;
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class WriteGroups<I, O> {
  private readonly waiting: Waiting<I, O>[] = [];
  private readonly limits: GroupLimits;
  private inFlight = 0;
  /** Groups written since start (the tests read it). */
  groups = 0;

  constructor(
    private readonly write: (items: I[]) => Promise<Settled<O>[]>,
    private readonly options: GroupOptions<I> = {},
  ) {
    this.limits = { ...GROUP_LIMITS, ...options.limits };
  }

  /** Items waiting for a transaction. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Groups being written now. */
  get inFlightCount(): number {
    return this.inFlight;
  }

  submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.limits.inFlight && this.waiting.length > 0) {
      const group = this.take();
      this.inFlight += 1;
      void this.run(group).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  /** The next group, in arrival order, within the limits, one item per key. */
  private take(): Waiting<I, O>[] {
    const group: Waiting<I, O>[] = [];
    const left: Waiting<I, O>[] = [];
    const keys = new Set<string>();
    let weight = 0;
    for (const waiting of this.waiting) {
      const key = this.options.keyOf?.(waiting.item) ?? null;
      const rows = this.options.weightOf?.(waiting.item) ?? 1;
      const fits = group.length === 0 || (group.length < this.limits.size && weight + rows <= this.limits.weight);
      if (fits && (key === null || !keys.has(key))) {
        if (key !== null) keys.add(key);
        weight += rows;
        group.push(waiting);
      } else {
        left.push(waiting);
      }
    }
    this.waiting.splice(0, this.waiting.length, ...left);
    return group;
  }

  private async run(group: Waiting<I, O>[]): Promise<void> {
    let settled: Settled<O>[];
    try {
      settled = await this.write(group.map((waiting) => waiting.item));
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      // Not one item's refusal: each is written again alone, and the failure stays with its own.
      for (const waiting of group) await this.run([waiting]);
      return;
    }
    this.groups += 1;
    const again: Waiting<I, O>[] = [];
    settled.forEach((outcome, i) => {
      const waiting = group[i]!;
      if ('again' in outcome) again.push(waiting);
      else if ('refused' in outcome) waiting.reject(outcome.refused);
      else waiting.resolve(outcome.value);
    });
    this.waiting.unshift(...again);
  }
}

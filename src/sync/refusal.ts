/**
 * A sync start refused inside its transaction (busy, paused, disabled): thrown to roll the
 * transaction back (the lease it may have taken included), and returned to the caller as the
 * outcome, never as an error.
 */
import type { SyncOutcome } from './records.js';

export class Refused extends Error {
  constructor(readonly outcome: Exclude<SyncOutcome, { kind: 'run' }>) {
    super(outcome.kind);
  }
}

/** The work's result, or the refusal it threw. */
export async function unlessRefused<T>(work: Promise<T>): Promise<T | Refused> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof Refused) return error;
    throw error;
  }
}

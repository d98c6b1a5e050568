/** Events appended straight to the log by the delivery tests. */
import type { DomainEvent } from '../../src/events/domain.js';

/**
 * An event as a delivery test appends it: any type with any (partial) payload. Delivery, replay
 * and filtering do not depend on the payload, and the log stores what it is given.
 */
export interface LooseEvent {
  type: DomainEvent['type'];
  taskId?: string | null;
  runId?: string | null;
  profileId?: string | null;
  userId?: string | null;
  payload?: Record<string, unknown> | null;
}

export const asLogged = (events: readonly LooseEvent[]): DomainEvent[] =>
  events.map((e) => ({ taskId: null, runId: null, profileId: null, userId: null, payload: null, ...e })) as unknown as DomainEvent[];

/**
 * What one write transaction records beside its statements: the events it raises, the audit
 * changes it makes, and the entitlements whose holders it changed. The work records them on its
 * transaction's unit (`tx.unit`); the database seam (Database.write) gives every attempt a fresh
 * unit (the driver may retry the work), records the events and the audit entries (pending) as the
 * last statements of the same transaction, and once it has committed tells the commit listeners
 * (the audit sealer, the sync's holders-changed trigger) exactly once and waits for its events to
 * be sequenced (src/events/sequencer.ts). Nothing is recorded but
 * through a unit, and nothing is acted on before its commit.
 */
import type { AuditActor, AuditChange } from '../audit/trail.js';
import type { DomainEvent } from '../events/log.js';

/** What the workflow engine did to tasks in one transaction (ids, so nothing is counted twice). */
export interface TaskTally {
  created: Set<string>;
  provisioning: Set<string>;
  completed: Set<string>;
  cancelled: Set<string>;
  membersEnrolled: number;
  membersUnenrolled: number;
  profileIds: Set<string>;
}

export class UnitOfWork {
  /** Events to append to the log, in order. */
  readonly events: DomainEvent[] = [];
  /** Audit changes to append to the chain, in order. */
  readonly auditChanges: { actor: AuditActor; change: AuditChange }[] = [];
  /** The engine's bulk task work, summarised into one audit entry. */
  taskTally: TaskTally | null = null;
  /** Entitlements whose holders changed (the sync follows condition changes). */
  readonly changedEntitlementIds = new Set<string>();
  /** Profiles whose exclusions, automation or items changed: they need a sync. */
  readonly profilesToSync = new Set<string>();

  recordEvents(events: readonly DomainEvent[]): void {
    this.events.push(...events);
  }

  holdersChanged(entitlementIds: Iterable<string>): void {
    for (const id of entitlementIds) this.changedEntitlementIds.add(id);
  }

  /** The profile's membership rule or items changed: it is marked "needs sync" in this transaction. */
  profileNeedsSync(profileId: string): void {
    this.profilesToSync.add(profileId);
  }
}

/** Appends what the unit recorded, inside its transaction, after the work (audit entries, then events). */
export type UnitFinisher<T> = (tx: T, unit: UnitOfWork) => Promise<void>;

/** Told once a unit's transaction has committed. */
export type CommitListener = (unit: UnitOfWork) => void;

/** Awaited once a unit's transaction has committed, before the write answers. */
export type CommitSettler = (unit: UnitOfWork) => Promise<void>;

/**
 * Tasks: one requested change each. This file is the single entry point for creating and
 * cancelling them: creating one also moves it through its policy as far as it goes at once
 * (src/workflow/engine.ts), in the caller's transaction.
 */
import type { Database, Tx } from '../db/database.js';
import type { EventLog } from '../events/log.js';
import type { TaskRecord, TaskRequest } from './records.js';
import { Outcome, WorkflowEngine, type WorkflowDefaults } from '../workflow/engine.js';

export const TASK_BATCH = 2000;

export interface CreatedTasks {
  /** Ids of the tasks created now. */
  created: string[];
  /** Ids of the open tasks that already covered a request. */
  existing: string[];
  /**
   * Entitlements whose holders changed because tasks completed at once (auto-approved and
   * provisioned, cascades included): pass the result to `afterCommit` once the transaction commits.
   */
  changedEntitlementIds: string[];
  /** Tasks that reached DONE in this call, cascades included. */
  completed: number;
}

/** Where the task service publishes after a commit; wired by the workflow registration. */
export interface TaskPublishing {
  events: EventLog;
  holdersChanged: { emit(entitlementIds: string[]): void };
}

/** Until the workflow is wired: every request awaits one MANAGER step, revocations none. */
const FALLBACK_DEFAULTS: WorkflowDefaults = { requestSteps: [{ approverType: 'MANAGER', userIds: [] }], revokeSteps: [] };

export class TaskService {
  engine: WorkflowEngine = new WorkflowEngine(FALLBACK_DEFAULTS);
  private publishing: TaskPublishing | null = null;

  constructor(protected readonly db: Database) {}

  /** Wires the policy defaults and where to publish (see src/workflow/index.ts). */
  attach(defaults: WorkflowDefaults, publishing: TaskPublishing): void {
    this.engine = new WorkflowEngine(defaults);
    this.publishing = publishing;
  }

  /**
   * Creates tasks in bounded batches inside the caller's transaction; a request already covered by
   * an open task of the same kind, user and entitlement returns that task instead. Each new task
   * follows its policy as far as it goes now (zero steps: approved; system-provisioned: done, with
   * the enrollment / unenrollment cascades), and its events are appended in the same transaction.
   * After the commit, call `afterCommit(result)`.
   */
  async createIn(tx: Tx, requests: TaskRequest[]): Promise<CreatedTasks> {
    const outcome = new Outcome();
    await this.engine.createIn(tx, requests, outcome);
    await this.appendIn(tx, outcome);
    return { created: outcome.created, existing: outcome.existing, changedEntitlementIds: [...outcome.changedEntitlementIds], completed: outcome.completed };
  }

  async create(requests: TaskRequest[]): Promise<CreatedTasks> {
    const result = await this.db.write((tx) => this.createIn(tx, requests));
    this.afterCommit(result);
    return result;
  }

  /** Cancels those of the tasks still open (appending TASK_CANCELLED); returns the ids cancelled. */
  async cancelIn(tx: Tx, ids: string[], reason: string, byId: string | null = null): Promise<string[]> {
    const outcome = new Outcome();
    const cancelled = await this.engine.cancel(tx, ids, reason, byId, outcome);
    await this.appendIn(tx, outcome);
    return cancelled;
  }

  /** Appends the events a unit of workflow work gathered, inside its transaction. */
  async appendIn(tx: Tx, outcome: Outcome): Promise<void> {
    if (outcome.events.length > 0 && this.publishing) await this.publishing.events.appendIn(tx, outcome.events);
  }

  /** After the transaction committed: deliver its events and tell who listens which holders changed. */
  afterCommit(result: { changedEntitlementIds: Iterable<string> }): void {
    if (!this.publishing) return;
    this.publishing.events.afterCommit();
    this.publishing.holdersChanged.emit([...result.changedEntitlementIds]);
  }

  async byIds(tx: Tx, ids: readonly string[]): Promise<TaskRecord[]> {
    return (await tx.run<{ task: TaskRecord }>('tasks/tasks-by-id', { ids })).map((r) => r.task);
  }
}

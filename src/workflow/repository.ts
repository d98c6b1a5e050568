/** Reads of tasks: named Cypher in, task records out. */
import type { Tx } from '../db/database.js';
import type { TaskRecord } from './records.js';

export const taskReads = {
  /** The tasks found among `ids`, with who may act on them and who did (cypher/tasks/tasks-by-id). */
  byIds: async (tx: Tx, ids: readonly string[]): Promise<TaskRecord[]> => (await tx.run<{ task: TaskRecord }>('tasks/tasks-by-id', { ids })).map((r) => r.task),
};

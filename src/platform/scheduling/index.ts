/** Scheduled work: a task on an interval, and one that works through a backlog in batches. */
export { type Batch, BatchTask, runInBatches } from './batch-task.js';
export { RecurringTask, recurringTasksOf, type TaskRun } from './recurring-task.js';

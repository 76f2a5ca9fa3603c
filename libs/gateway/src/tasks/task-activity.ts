import { isTerminal, taskState, type TaskStatus } from './task-state.js';
import type { TaskRecord, TaskStore } from './task-store.js';

/** One task as the dashboard lists it. */
export interface DashboardTask {
  taskId: string;
  tool: string;
  status: TaskStatus;
  /** The node running it, or the replica for a fan-out task. */
  runner: string;
  createdAt: number;
  lastUpdatedAt: number;
}

const KEPT = 100;

/**
 * The tasks created through this replica, newest first, for the dashboard: at most the last 100.
 * Their states are read from the task store when the dashboard asks, and a task that ended is not
 * read again (an ended task never changes).
 */
export class TaskActivity {
  readonly #store: TaskStore;
  readonly #recent: TaskRecord[] = [];
  readonly #ended = new Map<string, DashboardTask>();

  constructor(store: TaskStore) {
    this.#store = store;
  }

  add(record: TaskRecord): void {
    this.#recent.unshift(record);
    const dropped = this.#recent.splice(KEPT);
    for (const old of dropped) this.#ended.delete(old.taskId);
  }

  async snapshot(): Promise<DashboardTask[]> {
    return Promise.all(
      this.#recent.map(async (record) => {
        const ended = this.#ended.get(record.taskId);
        if (ended !== undefined) return ended;
        const stored = await this.#store.read(record.taskId).catch(() => undefined);
        const state = stored === undefined ? undefined : taskState(stored);
        const view: DashboardTask = {
          taskId: record.taskId,
          tool: record.tool,
          status: state?.status ?? 'working',
          runner: record.nodeId,
          createdAt: record.createdAt,
          lastUpdatedAt: state?.lastUpdatedAt ?? record.updatedAt,
        };
        if (state !== undefined && isTerminal(state.status)) this.#ended.set(record.taskId, view);
        return view;
      }),
    );
  }
}

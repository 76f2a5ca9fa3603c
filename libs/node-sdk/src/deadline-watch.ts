/** One watched deadline; pass it back to `unwatch` when the work ends first. */
export interface WatchedDeadline {
  readonly deadline: number;
  readonly expire: () => void;
}

/**
 * The deadlines of every call running on a node, behind one timer armed for the earliest. A
 * `setTimeout` per call (plus its clear) costs more than the echo handler it guards; here a call adds
 * and removes one set entry, and the timer is re-armed only when a call's deadline is earlier than
 * every other (rare: later calls mostly have later deadlines). Calls that end first leave the timer
 * armed; when it fires it expires what is due and re-arms for the earliest deadline still watched.
 */
export class DeadlineWatch {
  readonly #watched = new Set<WatchedDeadline>();
  #timer: NodeJS.Timeout | undefined;
  #armedFor = Number.POSITIVE_INFINITY;

  watch(deadline: number, expire: () => void): WatchedDeadline {
    const entry: WatchedDeadline = { deadline, expire };
    this.#watched.add(entry);
    if (deadline < this.#armedFor) this.#arm(deadline);
    return entry;
  }

  /** The timer stays armed (unref'd, so it never keeps the process alive) and finds nothing due. */
  unwatch(entry: WatchedDeadline): void {
    this.#watched.delete(entry);
  }

  #arm(deadline: number): void {
    clearTimeout(this.#timer);
    this.#armedFor = deadline;
    this.#timer = setTimeout(this.#fire, Math.max(0, deadline - Date.now())).unref();
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = Date.now();
    const due: WatchedDeadline[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const entry of this.#watched) {
      if (entry.deadline <= now) due.push(entry);
      else if (entry.deadline < next) next = entry.deadline;
    }
    for (const entry of due) this.#watched.delete(entry);
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
    for (const entry of due) entry.expire();
  };
}

/**
 * Caps the number of tasks in flight. The rest wait in arrival order, except that tasks run with
 * `first` (retries) wait ahead of the others.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly waitingFirst: Array<() => void> = [];

  constructor(readonly limit: number) {}

  /**
   * Runs `task` once fewer than `limit` tasks are running. With `first`, the task waits ahead of
   * every waiting task run without it, so a retry goes before requests that came after it.
   */
  async run<T>(task: () => Promise<T>, first = false): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => (first ? this.waitingFirst : this.waiting).push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.waitingFirst.shift() ?? this.waiting.shift();
      if (next) {
        // The slot passes straight to the next task, so `active` stays the same.
        next();
      } else {
        this.active -= 1;
      }
    }
  }
}

import { systemClock, type Clock } from "./retry";

/**
 * Caps the number of tasks in flight, and delays every task while the limiter is paused. Waiting
 * tasks start in arrival order, except that tasks run with `first` (retries) start ahead of the
 * others, also when a pause ends.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly waitingFirst: Array<() => void> = [];
  /** Time (ms, by `clock`) before which no task starts. */
  private resumeAt = 0;
  private resumeScheduled = false;

  constructor(
    readonly limit: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Delays every task that has not started yet until `until` (ms, by the limiter's clock). */
  pause(until: number): void {
    this.resumeAt = Math.max(this.resumeAt, until);
  }

  /**
   * Runs `task` once fewer than `limit` tasks are running and no pause is in force. With
   * `first`, the task starts ahead of every waiting task run without it, so a retry goes before
   * requests that came after it.
   */
  async run<T>(task: () => Promise<T>, first = false): Promise<T> {
    const idle = this.waiting.length === 0 && this.waitingFirst.length === 0;
    if (idle && this.active < this.limit && !this.paused()) {
      this.active += 1;
    } else {
      const turn = new Promise<void>((resolve) => (first ? this.waitingFirst : this.waiting).push(resolve));
      this.startWaiting();
      await turn;
    }

    try {
      return await task();
    } finally {
      this.active -= 1;
      this.startWaiting();
    }
  }

  private paused(): boolean {
    return this.clock.now() < this.resumeAt;
  }

  /** Starts waiting tasks while slots are free, or schedules a retry of this when the pause ends. */
  private startWaiting(): void {
    if (this.paused()) {
      this.scheduleResume();
      return;
    }
    while (this.active < this.limit) {
      const next = this.waitingFirst.shift() ?? this.waiting.shift();
      if (next === undefined) {
        return;
      }
      this.active += 1;
      next();
    }
  }

  private scheduleResume(): void {
    if (this.resumeScheduled) {
      return;
    }
    this.resumeScheduled = true;
    void this.clock.sleep(this.resumeAt - this.clock.now()).then(() => {
      this.resumeScheduled = false;
      this.startWaiting();
    });
  }
}

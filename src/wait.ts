/**
 * Waiting for workflows to finish. DBOS sends no notification when a workflow completes, so waiting polls,
 * but every waiter of one client shares one poll: a single indexed `ANY($ids)` lookup per tick, whatever the
 * number of waiters. The tick adapts to the waiters' age: a waiter polls about every quarter of the time it has
 * waited, between `minIntervalMs` and `maxIntervalMs`, so a short workflow's result arrives within milliseconds
 * while a long wait costs at most one query per `maxIntervalMs`.
 */
import type { Row } from './driver.ts';
import { DBOSEdgeError, DBOSWaitTimeoutError, DriverError } from './errors.ts';

export interface PollingOptions {
  /** Fastest poll, for waits that just began. Default 10 ms. */
  minIntervalMs?: number;
  /** Slowest poll, for long waits. Default 1000 ms. */
  maxIntervalMs?: number;
}

interface Waiter {
  readonly ids: readonly string[];
  readonly since: number;
  resolve(row: Row): void;
  reject(error: unknown): void;
  cleanup(): void;
}

/** Consecutive failed polls before the waiters are failed with the error. */
const MAX_POLL_FAILURES = 5;

export class FinishWatcher {
  private readonly waiters = new Set<Waiter>();
  private readonly minMs: number;
  private readonly maxMs: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  private polling = false;
  private lastPoll = 0;
  private failures = 0;
  private closed = false;

  /** `fetchFinished` returns the finished rows (with `workflow_uuid`) among the given IDs. */
  constructor(
    private readonly fetchFinished: (ids: string[]) => Promise<Row[]>,
    options: PollingOptions = {},
  ) {
    this.minMs = options.minIntervalMs ?? 10;
    this.maxMs = Math.max(this.minMs, options.maxIntervalMs ?? 1000);
  }

  /** Resolves with the finished row of the first of `ids` to finish. */
  wait(ids: readonly string[], options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Row> {
    if (this.closed) return Promise.reject(new DBOSEdgeError('CLIENT_DESTROYED', 'The client has been destroyed'));
    return new Promise<Row>((resolve, reject) => {
      let timeout: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => settle(() => reject(options.signal?.reason));
      const waiter: Waiter = {
        ids,
        since: Date.now(),
        resolve: (row) => settle(() => resolve(row)),
        reject: (e) => settle(() => reject(e)),
        cleanup: () => {
          if (timeout) clearTimeout(timeout);
          options.signal?.removeEventListener('abort', onAbort);
        },
      };
      const settle = (fn: () => void) => {
        if (!this.waiters.delete(waiter)) return;
        waiter.cleanup();
        fn();
        if (this.waiters.size === 0) this.stopTimer();
      };
      if (options.signal?.aborted) return reject(options.signal.reason);
      this.waiters.add(waiter);
      if (options.timeoutMs !== undefined) {
        const ms = options.timeoutMs;
        timeout = setTimeout(() => waiter.reject(new DBOSWaitTimeoutError(ids, ms)), ms);
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      // A new waiter is checked at once (coalesced with the others added in this tick).
      this.schedule(0);
    });
  }

  /** Fails every pending wait; later waits are refused. */
  close(): void {
    this.closed = true;
    this.stopTimer();
    const error = new DBOSEdgeError('CLIENT_DESTROYED', 'The client was destroyed while waiting');
    for (const w of [...this.waiters]) w.reject(error);
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.waiters.size === 0) return;
    const due = Date.now() + delayMs;
    if (this.polling || due >= this.timerDue) return;
    this.stopTimer();
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Number.POSITIVE_INFINITY;
      void this.poll();
    }, delayMs);
  }

  /** The next tick: the shortest interval any waiter wants, counted from the last poll. */
  private nextDelay(): number {
    const now = Date.now();
    let interval = this.maxMs;
    for (const w of this.waiters) interval = Math.min(interval, Math.max(this.minMs, (now - w.since) / 4));
    if (this.failures > 0) interval = Math.min(this.maxMs, this.minMs * 2 ** this.failures);
    return Math.max(0, this.lastPoll + interval - now);
  }

  private async poll(): Promise<void> {
    if (this.closed || this.waiters.size === 0) return;
    this.polling = true;
    this.lastPoll = Date.now();
    const ids = [...new Set([...this.waiters].flatMap((w) => w.ids))];
    try {
      const rows = await this.fetchFinished(ids);
      this.failures = 0;
      const byId = new Map(rows.map((r) => [String(r.workflow_uuid), r]));
      for (const w of [...this.waiters]) {
        const hit = w.ids.find((id) => byId.has(id));
        if (hit !== undefined) w.resolve(byId.get(hit) as Row);
      }
    } catch (e) {
      this.failures += 1;
      if (!(e instanceof DriverError) || this.failures >= MAX_POLL_FAILURES) {
        this.failures = 0;
        for (const w of [...this.waiters]) w.reject(e);
      }
    } finally {
      this.polling = false;
    }
    this.schedule(this.nextDelay());
  }
}

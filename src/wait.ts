/**
 * Waiting for something to appear in the system database: a workflow to finish, an event to be set, a stream
 * value to be written. Every waiter of one kind shares one poll: a single indexed lookup of all the items
 * waited on, whatever the number of waiters.
 *
 * Two things trigger a poll:
 * - a NOTIFY on the kind's channel naming an item someone waits on (`wake`), when the driver can LISTEN;
 * - a timer, the safety net, which adapts to the waiters' age: a waiter is re-checked about every quarter of the
 *   time it has waited, between `minIntervalMs` and `maxIntervalMs`. While a LISTEN is up, the timer never runs
 *   faster than `listeningIntervalMs`, because a notification will usually arrive first.
 *
 * The trade-off: with LISTEN a value is seen within a millisecond or two of its commit at the cost of one shared
 * listener connection; without it, a short wait sees it within `minIntervalMs` and a long one within
 * `maxIntervalMs`, at one query per interval per kind (not per waiter).
 */
import type { Row } from './driver.ts';
import { clientDestroyed, DBOSEdgeError, DriverError } from './errors.ts';

export interface PollingOptions {
  /** Fastest poll, for waits that just began. Default 10 ms. */
  minIntervalMs?: number;
  /** Slowest poll, for long waits. Default 1000 ms. */
  maxIntervalMs?: number;
  /** Fastest safety-net poll while a LISTEN subscription is up. Default 500 ms. */
  listeningIntervalMs?: number;
}

/** Where an item is looked up: `key` names it in the batch; `wake` is the NOTIFY payload that may mean it is ready. */
export interface WatchItem {
  readonly key: string;
  readonly wake?: string;
}

/** Looks up all the items at once; returns the ready ones' rows by item key. */
export type FetchReady<T extends WatchItem, R extends Row> = (items: T[]) => Promise<Map<string, R>>;

/** A channel to LISTEN on for wake-ups, started with the first wait. */
export interface WakeSource {
  /** Resolves once `onPayload` is subscribed; rejects if the driver cannot listen. */
  subscribe(onPayload: (payload: string) => void): Promise<void>;
}

interface Waiter<T extends WatchItem, R extends Row> {
  readonly items: readonly T[];
  readonly since: number;
  /** Looked up at least once: a timeout never fires before the first check, so a value already there is seen. */
  checked: boolean;
  /** The timeout passed before the first check; it fires right after it. */
  expired?: () => void;
  resolve(hit: { item: T; row: R }): void;
  reject(error: unknown): void;
  cleanup(): void;
}

export interface WaitOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The error a timeout rejects with. */
  onTimeout?: () => Error;
}

/**
 * Consecutive failed polls before the waiters are failed with a database error that is not retryable. A retryable
 * one (the database unreachable, restarting, failing over) never fails a waiter: it keeps polling, backing off up
 * to `maxIntervalMs`, until its own timeout.
 */
const MAX_POLL_FAILURES = 5;
/** After a failed LISTEN, how long to poll only before trying again. */
const RELISTEN_AFTER_MS = 30_000;

/** `T` is what a waiter waits on, `R` the row the lookup returns for it. */
export class Watcher<T extends WatchItem, R extends Row = Row> {
  readonly #waiters = new Set<Waiter<T, R>>();
  readonly #wakeCounts = new Map<string, number>();
  readonly #minMs: number;
  readonly #maxMs: number;
  readonly #listeningMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerDue = Number.POSITIVE_INFINITY;
  #polling = false;
  #pollAgain = false;
  #lastPoll = 0;
  #failures = 0;
  #closed = false;
  #listen: 'off' | 'starting' | 'up' | { failedAt: number } = 'off';

  readonly #fetchReady: FetchReady<T, R>;
  readonly #wakeSource: WakeSource | undefined;

  constructor(fetchReady: FetchReady<T, R>, options: PollingOptions = {}, wakeSource?: WakeSource) {
    this.#fetchReady = fetchReady;
    this.#wakeSource = wakeSource;
    this.#minMs = options.minIntervalMs ?? 10;
    this.#maxMs = Math.max(this.#minMs, options.maxIntervalMs ?? 1000);
    this.#listeningMs = Math.min(this.#maxMs, Math.max(this.#minMs, options.listeningIntervalMs ?? 500));
  }

  /** True while the LISTEN subscription is up (the safety-net poll then slows down). */
  get listening(): boolean {
    return this.#listen === 'up';
  }

  /** Resolves with the first of `items` found ready (checked at once, then on every wake-up and poll). */
  wait(items: readonly T[], options: WaitOptions = {}): Promise<{ item: T; row: R }> {
    if (this.#closed) return Promise.reject(clientDestroyed());
    return new Promise((resolve, reject) => {
      let timeout: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => waiter.reject(options.signal?.reason);
      const settle = (fn: () => void) => {
        if (!this.#waiters.delete(waiter)) return;
        waiter.cleanup();
        fn();
        if (this.#waiters.size === 0) this.#stopTimer();
      };
      const waiter: Waiter<T, R> = {
        items,
        since: Date.now(),
        checked: false,
        resolve: (hit) => settle(() => resolve(hit)),
        reject: (e) => settle(() => reject(e)),
        cleanup: () => {
          if (timeout) clearTimeout(timeout);
          options.signal?.removeEventListener('abort', onAbort);
          for (const item of items) if (item.wake !== undefined) this.#countWake(item.wake, -1);
        },
      };
      if (options.signal?.aborted) return reject(options.signal.reason);
      this.#waiters.add(waiter);
      for (const item of items) if (item.wake !== undefined) this.#countWake(item.wake, 1);
      if (options.timeoutMs !== undefined) {
        const ms = options.timeoutMs;
        const error = options.onTimeout ?? (() => new DBOSEdgeError('WAIT_TIMEOUT', `Nothing arrived within ${ms} ms`));
        timeout = setTimeout(() => {
          const fire = () => waiter.reject(error());
          if (waiter.checked) fire();
          else waiter.expired = fire;
        }, ms);
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#startListening();
      // A new waiter is checked at once (coalesced with the others added in this tick).
      this.#schedule(0);
    });
  }

  /** A NOTIFY payload arrived: poll now if anyone waits on it. */
  wake(payload: string): void {
    if (this.#wakeCounts.has(payload)) this.#schedule(0);
  }

  /** Fails every pending wait; later waits are refused. */
  close(): void {
    this.#closed = true;
    this.#stopTimer();
    const error = clientDestroyed();
    for (const w of [...this.#waiters]) w.reject(error);
  }

  #countWake(payload: string, delta: number): void {
    const n = (this.#wakeCounts.get(payload) ?? 0) + delta;
    if (n > 0) this.#wakeCounts.set(payload, n);
    else this.#wakeCounts.delete(payload);
  }

  #startListening(): void {
    if (!this.#wakeSource || this.#listen === 'starting' || this.#listen === 'up') return;
    if (typeof this.#listen === 'object' && Date.now() - this.#listen.failedAt < RELISTEN_AFTER_MS) return;
    this.#listen = 'starting';
    this.#wakeSource
      .subscribe((payload) => this.wake(payload))
      .then(
        () => {
          this.#listen = 'up';
          // Anything committed between the first check and the LISTEN would send no wake-up: look again.
          this.#schedule(0);
        },
        () => {
          this.#listen = { failedAt: Date.now() };
        },
      );
  }

  #stopTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDue = Number.POSITIVE_INFINITY;
  }

  #schedule(delayMs: number): void {
    if (this.#closed || this.#waiters.size === 0) return;
    if (this.#polling) {
      // A wake-up during a poll may concern a row that poll did not see yet: poll once more right after.
      if (delayMs === 0) this.#pollAgain = true;
      return;
    }
    const due = Date.now() + delayMs;
    if (due >= this.#timerDue) return;
    this.#stopTimer();
    this.#timerDue = due;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerDue = Number.POSITIVE_INFINITY;
      void this.#poll();
    }, delayMs);
  }

  /** The next safety-net tick: the shortest interval any waiter wants, counted from the last poll. */
  #nextDelay(): number {
    const now = Date.now();
    const floor = this.listening ? this.#listeningMs : this.#minMs;
    let interval = this.#maxMs;
    for (const w of this.#waiters) interval = Math.min(interval, Math.max(floor, (now - w.since) / 4));
    if (this.#failures > 0) interval = Math.min(this.#maxMs, this.#minMs * 2 ** Math.min(this.#failures, 30));
    return Math.max(0, this.#lastPoll + interval - now);
  }

  async #poll(): Promise<void> {
    if (this.#closed || this.#waiters.size === 0) return;
    this.#polling = true;
    this.#pollAgain = false;
    this.#lastPoll = Date.now();
    const items = new Map<string, T>();
    const polled = [...this.#waiters];
    for (const w of polled) for (const item of w.items) items.set(item.key, item);
    try {
      const ready = await this.#fetchReady([...items.values()]);
      this.#failures = 0;
      for (const w of polled) {
        const item = w.items.find((i) => ready.has(i.key));
        if (item !== undefined) w.resolve({ item, row: ready.get(item.key) as R });
        w.checked = true;
        w.expired?.();
      }
    } catch (e) {
      this.#failures += 1;
      const rideOut = e instanceof DriverError && (e.retryable || this.#failures < MAX_POLL_FAILURES);
      if (!rideOut) {
        this.#failures = 0;
        for (const w of [...this.#waiters]) w.reject(e);
      }
    } finally {
      this.#polling = false;
    }
    this.#schedule(this.#pollAgain ? 0 : this.#nextDelay());
  }
}

/**
 * Coalesces concurrent enqueues into multi-row statements. A Postgres commit costs a WAL flush, and an edge
 * call costs a round trip: when many enqueues are issued at once (a webhook burst, a fan-out), sending them as
 * one statement pays both once. A lone enqueue is sent at once, alone, so sequential callers see no added
 * latency. What arrives while statements run waits for one to return, and then leaves with everything else that
 * arrived meanwhile: under a steady stream of requests (an HTTP service, where requests come one by one rather than
 * in the same tick) statements grow instead of multiplying, and each statement costs the database a plan and a
 * commit. A wait is bounded: after `holdMs` the waiting rows leave in a statement of their own (a slow or blocked
 * statement holds the others back no longer), up to `maxInFlight` statements at once.
 *
 * Each caller still gets its own row's outcome, by position, from the runner: the runner isolates rows the database
 * refuses (`Enqueuer`'s `writeIsolated`, shared with `enqueueMany`), so only a bad row fails. If the runner fails
 * (a dropped connection), every enqueue in the batch fails with that error.
 */
import { DBOSEdgeError, DriverError } from './errors.ts';
import type { EnqueueOutcomeRow, EnqueueRow } from './sql/workflows.ts';

/** A row's outcome from a write: its outcome row, the error that failed it alone, or undefined when none came back. */
export type RowOutcome = EnqueueOutcomeRow | DriverError | undefined;

/**
 * How long rows wait for a running statement before leaving in their own: a local statement returns well within it,
 * so a busy service sends one statement per round trip; a blocked one is not waited for much longer.
 */
const DEFAULT_HOLD_MS = 20;

interface Pending {
  readonly row: EnqueueRow;
  resolve(outcome: EnqueueOutcomeRow): void;
  reject(error: unknown): void;
}

export class EnqueueBatcher {
  #pending: Pending[] = [];
  #inFlight = 0;
  #flushQueued = false;
  #holdTimer: ReturnType<typeof setTimeout> | undefined;

  /** Writes the rows; returns each row's outcome at its own position. */
  readonly #run: (rows: EnqueueRow[]) => Promise<RowOutcome[]>;
  readonly #maxInFlight: number;
  readonly #maxBatch: number;
  readonly #holdMs: number;

  constructor(
    run: (rows: EnqueueRow[]) => Promise<RowOutcome[]>,
    maxInFlight = 4,
    maxBatch = 500,
    holdMs = DEFAULT_HOLD_MS,
  ) {
    this.#run = run;
    this.#maxInFlight = maxInFlight;
    this.#maxBatch = maxBatch;
    this.#holdMs = holdMs;
  }

  /** Resolves with the row's outcome (`outcome` null means: a concurrent writer won the race, submit again). */
  submit(row: EnqueueRow): Promise<EnqueueOutcomeRow> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ row, resolve, reject });
      // Enqueues issued in the same tick leave together.
      if (!this.#flushQueued) {
        this.#flushQueued = true;
        queueMicrotask(() => {
          this.#flushQueued = false;
          this.#flushOrHold();
        });
      }
    });
  }

  /** Sends at once when nothing runs (or nothing may be held); otherwise lets the rows wait, at most `holdMs`. */
  #flushOrHold(): void {
    if (this.#inFlight === 0 || this.#holdMs <= 0) {
      this.#flush();
    } else if (this.#holdTimer === undefined && this.#pending.length > 0) {
      this.#holdTimer = setTimeout(() => {
        this.#holdTimer = undefined;
        this.#flush();
      }, this.#holdMs);
    }
  }

  #flush(): void {
    if (this.#holdTimer !== undefined) {
      clearTimeout(this.#holdTimer);
      this.#holdTimer = undefined;
    }
    while (this.#inFlight < this.#maxInFlight && this.#pending.length > 0) {
      // A statement's rows need distinct IDs: a repeated ID waits for the next statement, which then sees it.
      const batch: Pending[] = [];
      const later: Pending[] = [];
      const ids = new Set<string>();
      for (const p of this.#pending) {
        if (batch.length < this.#maxBatch && !ids.has(p.row.workflowID)) {
          batch.push(p);
          ids.add(p.row.workflowID);
        } else {
          later.push(p);
        }
      }
      this.#pending = later;
      this.#inFlight += 1;
      void this.#settle(batch).finally(() => {
        this.#inFlight -= 1;
        this.#flush();
      });
    }
  }

  /** Writes the batch and settles every caller in it, each exactly once; never rejects. */
  async #settle(batch: Pending[]): Promise<void> {
    let outcomes: RowOutcome[];
    try {
      outcomes = await this.#run(batch.map((p) => p.row));
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    for (const [i, p] of batch.entries()) {
      const outcome = outcomes[i];
      if (outcome instanceof DriverError) p.reject(outcome);
      // A row that got no outcome is settled too: a promise must never hang.
      else if (outcome === undefined) p.reject(missingOutcome(p.row.workflowID));
      else p.resolve(outcome);
    }
  }
}

function missingOutcome(workflowID: string): DBOSEdgeError {
  return new DBOSEdgeError('CORRUPT_ROW', `The enqueue statement returned no outcome for workflow ${workflowID}`);
}

/**
 * Coalesces concurrent enqueues into multi-row statements. A Postgres commit costs a WAL flush, and an edge
 * call costs a round trip: when many enqueues are issued at once (a webhook burst, a fan-out), sending them as
 * one statement pays both once. A lone enqueue is sent at once, alone, so sequential callers see no added
 * latency; only what arrives while `maxInFlight` statements are already running waits for the next one.
 *
 * Each caller still gets its own row's outcome. A statement is all or nothing: if it fails (a dropped
 * connection), every enqueue in it fails with that error and none of its rows was written.
 */
import type { EnqueueOutcomeRow, EnqueueRow } from './sql/workflows.ts';

interface Pending {
  readonly row: EnqueueRow;
  resolve(outcome: EnqueueOutcomeRow): void;
  reject(error: unknown): void;
}

export class EnqueueBatcher {
  #pending: Pending[] = [];
  #inFlight = 0;
  #flushQueued = false;

  /** Runs one statement for the rows; returns one outcome row per input row, by 1-based position `n`. */
  readonly #run: (rows: EnqueueRow[]) => Promise<EnqueueOutcomeRow[]>;
  readonly #maxInFlight: number;
  readonly #maxBatch: number;

  constructor(run: (rows: EnqueueRow[]) => Promise<EnqueueOutcomeRow[]>, maxInFlight = 4, maxBatch = 500) {
    this.#run = run;
    this.#maxInFlight = maxInFlight;
    this.#maxBatch = maxBatch;
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
          this.#flush();
        });
      }
    });
  }

  #flush(): void {
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
      this.#run(batch.map((p) => p.row))
        .then(
          (rows) => {
            for (const outcome of rows) batch[outcome.n - 1]?.resolve(outcome);
          },
          (error) => {
            for (const p of batch) p.reject(error);
          },
        )
        .finally(() => {
          this.#inFlight -= 1;
          this.#flush();
        });
    }
  }
}

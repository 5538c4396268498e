/**
 * A cap on the long polls and SSE streams one process serves at once. Each holds a request (and, per request, a
 * client) open for up to `maxWaitMs` or for a stream's life; past the cap a new one gets a 503 with Retry-After at
 * once, instead of piling up until memory or connections run out.
 */
import { DBOSEdgeError } from '../errors.ts';

export class WaitSlots {
  #inUse = 0;
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** Takes a slot, or throws `OVERLOADED`; returns the function that gives it back (once). */
  acquire(): () => void {
    if (this.#inUse >= this.#max) {
      throw new DBOSEdgeError('OVERLOADED', `This server already serves ${this.#max} waits; try again shortly`);
    }
    this.#inUse += 1;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#inUse -= 1;
    };
  }
}

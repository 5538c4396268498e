/** Type parsing for both Neon adapters (HTTP and WebSocket), so they keep the value conventions of `src/driver.ts`. */
import { types } from '@neondatabase/serverless';

/** Parses `int8` to a JS number, refusing values past 2^53 rather than rounding them silently (as the TCP driver). */
function int8(x: string): number {
  const n = Number(x);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${x} does not fit a JS number`);
  return n;
}

/** pg-types, except `int8` and `int8[]` as numbers: the value conventions of `src/driver.ts`. */
export const typeParsers = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 20) return int8;
    if (oid === 1016) {
      const parseTextArray = types.getTypeParser(1009, 'text') as (x: string) => (string | null)[];
      return (x: string) => parseTextArray(x).map((v) => (v === null ? null : int8(v)));
    }
    // biome-ignore lint/suspicious/noExplicitAny: pg-types' overloads are keyed by literal format names
    return types.getTypeParser(oid, format as any);
  },
};

/** Type parsing for both Neon adapters (HTTP and WebSocket), so they keep the value conventions of `src/driver.ts`. */
import { types } from '@neondatabase/serverless';
import { parseInt8 } from '../src/driver.ts';

/** pg-types, except `int8` and `int8[]` as numbers: the value conventions of `src/driver.ts`. */
export const typeParsers = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 20) return parseInt8;
    if (oid === 1016) {
      const parseTextArray = types.getTypeParser(1009, 'text') as (x: string) => (string | null)[];
      return (x: string) => parseTextArray(x).map((v) => (v === null ? null : parseInt8(v)));
    }
    // biome-ignore lint/suspicious/noExplicitAny: pg-types' overloads are keyed by literal format names
    return types.getTypeParser(oid, format as any);
  },
};

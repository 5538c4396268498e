/**
 * What both Neon adapters (HTTP and WebSocket) share: the package, loaded on first use (an optional peer
 * dependency: see src/errors.ts (missingPackageError)), and type parsing that keeps the value conventions of `src/driver.ts`.
 */
import type * as Neon from '@neondatabase/serverless';
import { parseInt8 } from '../src/driver.ts';
import { missingPackageError } from '../src/errors.ts';

export type NeonPackage = typeof Neon;

let loading: Promise<NeonPackage> | undefined;

/** `@neondatabase/serverless`, imported once; a failed import is retried on the next call. */
export function loadNeon(usedFor: string): Promise<NeonPackage> {
  loading ??= import('@neondatabase/serverless').then(
    (m) => m,
    (e: unknown) => {
      loading = undefined;
      return Promise.reject(missingPackageError('@neondatabase/serverless', usedFor, e));
    },
  );
  return loading;
}

/** pg-types, except `int8` and `int8[]` as numbers: the value conventions of `src/driver.ts`. */
export function typeParsers(types: NeonPackage['types']): { getTypeParser(oid: number, format?: string): unknown } {
  return {
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
}

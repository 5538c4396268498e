import type { Driver } from '../../src/driver.ts';

/** Wraps a real driver and counts the round trips it makes (instrumentation, not a stand-in). */
export function countingDriver(inner: Driver): Driver & { readonly calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    query: (text, params) => {
      calls.push(text);
      return inner.query(text, params);
    },
    batch: (statements) => {
      calls.push(`batch(${statements.length})`);
      return inner.batch(statements);
    },
    ...(inner.database !== undefined ? { database: inner.database } : {}),
    ...(inner.listen ? { listen: inner.listen.bind(inner) } : {}),
    close: () => inner.close(),
  };
}

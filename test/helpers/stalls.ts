/**
 * Says where a fault-injection test is stuck when it stalls (issue 14): while any tracked operation has been pending
 * longer than `overdueMs` (a statement, whose wait for a connection is bounded by the 10 s connect timeout, or a
 * phase of the test such as the terminator), it prints, every `overdueMs`, those operations (each named by the test:
 * index, kind, phase) with their ages, how many settled so far, the test database's backends as pg_stat_activity
 * sees them, and the process's active handles. It only prints: the test's own timeout fails the test, and the
 * report then says where it stopped.
 */
import postgres from 'postgres';
import { databaseUrl } from './pg.ts';

export interface StallWatch {
  /** Tracks `operation` as pending under `label` until it settles; returns it. */
  track<T>(label: string, operation: Promise<T>): Promise<T>;
  stop(): void;
}

/** Watches the operations of a test on database `database`. */
export function watchStalls(database: string, overdueMs = 30_000): StallWatch {
  const pending = new Map<string, number>();
  let settled = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    const overdue = [...pending].filter(([, since]) => now - since >= overdueMs);
    if (overdue.length > 0) void report(database, overdue, pending.size, settled);
  }, overdueMs);
  timer.unref();
  return {
    track(label, operation) {
      pending.set(label, Date.now());
      return operation.finally(() => {
        pending.delete(label);
        settled += 1;
      });
    },
    stop: () => clearInterval(timer),
  };
}

async function report(
  database: string,
  overdue: readonly [string, number][],
  pending: number,
  settled: number,
): Promise<void> {
  const now = Date.now();
  const lines = [
    `STALL: ${overdue.length} of ${pending} pending operations overdue (${settled} settled so far):`,
    ...overdue.map(([label, since]) => `${label}: pending ${Math.round((now - since) / 1000)} s`),
    `active handles: ${JSON.stringify(countOf(process.getActiveResourcesInfo()))}`,
    'backends (pid application state wait_event since-state-change query):',
    ...(await backends(database)),
  ];
  console.warn(lines.join('\n  '));
}

/** The database's backends, on a connection of its own that gives up in a few seconds. */
async function backends(database: string): Promise<string[]> {
  const sql = postgres(databaseUrl('postgres'), { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    const rows = await sql`SELECT pid, application_name, state, wait_event_type, wait_event,
        round(extract(epoch FROM clock_timestamp() - state_change))::int AS idle_s, left(query, 60) AS query
      FROM pg_stat_activity WHERE datname = ${database} AND pid <> pg_backend_pid() ORDER BY backend_start`;
    return rows.map((r) =>
      [r.pid, r.application_name, r.state, `${r.wait_event_type}/${r.wait_event}`, `${r.idle_s} s`, r.query].join(' '),
    );
  } catch (e) {
    return [`(not read: ${e})`];
  } finally {
    await sql.end({ timeout: 1 });
  }
}

function countOf(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of names) counts[n] = (counts[n] ?? 0) + 1;
  return counts;
}

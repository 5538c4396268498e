/**
 * EXPLAIN (ANALYZE, BUFFERS) of exactly what dbos-edge sends: a driver that, inside `capture`, explains each
 * statement just before running it. The EXPLAIN runs in a transaction that is rolled back, so a write is explained
 * on the very rows it then writes (fresh IDs, not conflicts with itself).
 */
import postgres from 'postgres';
import { postgresDriver } from '../adapters/postgres.ts';
import type { Driver, SqlParam } from '../src/index.ts';

export interface Explained {
  label: string;
  text: string;
  params: readonly SqlParam[];
  plan: string;
  /**
   * The plan of the 6th EXECUTE of the statement prepared by name, as postgres.js prepares it on each pooled
   * connection: from then on Postgres may switch to a generic plan, planned without the parameters' values.
   */
  preparedPlan?: string;
}

const ROLLBACK = Symbol('rollback');

export function explainingDriver(url: string) {
  const inner = postgresDriver(url);
  // One connection, so PREPARE and its EXECUTEs share a session.
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const explained: Explained[] = [];
  let armed: { label: string; prepared: boolean; statements: number } | undefined;

  const planText = (rows: readonly Record<string, unknown>[]) => rows.map((r) => String(r['QUERY PLAN'])).join('\n');

  async function explain(text: string, params: readonly SqlParam[]): Promise<string> {
    let plan = '';
    await sql
      .begin(async (tx) => {
        plan = planText(await tx.unsafe(`EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) ${text}`, params as SqlParam[]));
        throw ROLLBACK;
      })
      .catch((e) => {
        if (e !== ROLLBACK) throw e;
      });
    return plan;
  }

  /** Read-only statements only: the five EXECUTEs before the explained one really run. */
  async function explainPrepared(text: string, params: readonly SqlParam[]): Promise<string> {
    const execute = `EXECUTE bench_explain(${params.map(literal).join(', ')})`;
    await sql.unsafe(`PREPARE bench_explain AS ${text}`);
    try {
      for (let i = 0; i < 5; i++) await sql.unsafe(execute);
      return planText(await sql.unsafe(`EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) ${execute}`));
    } finally {
      await sql.unsafe('DEALLOCATE bench_explain');
    }
  }

  const driver: Driver = {
    async query(text, params = []) {
      if (armed) {
        armed.statements += 1;
        // A call that sends several statements (a bulk action's batches) numbers them.
        const label = armed.statements > 1 ? `${armed.label} (${armed.statements})` : armed.label;
        const { prepared } = armed;
        const plan = await explain(text, params);
        explained.push({
          label,
          text,
          params,
          plan,
          ...(prepared && { preparedPlan: await explainPrepared(text, params) }),
        });
      }
      return inner.query(text, params);
    },
    batch: (statements) => inner.batch(statements),
    async close() {
      await inner.close();
      await sql.end();
    },
  };

  return {
    driver,
    explained,
    /** Runs `fn`, explaining every statement it sends under `label` (and as a prepared statement if `prepared`). */
    async capture<T>(label: string, fn: () => Promise<T>, prepared = false): Promise<T> {
      armed = { label, prepared, statements: 0 };
      try {
        return await fn();
      } finally {
        armed = undefined;
      }
    },
  };
}

/** A parameter as an SQL literal, for EXECUTE (which takes no bind parameters). Values are the bench's own. */
function literal(v: SqlParam): string {
  if (v === null) return 'NULL';
  return typeof v === 'string' ? `'${v.replaceAll("'", "''")}'` : String(v);
}

export interface PlanSummary {
  /** Indexes scanned on `workflow_status` (the payload tables are always read by primary key). */
  indexes: string[];
  /** workflow_status rows the scans visited (returned plus removed by a filter, over all loops). */
  rowsVisited: number;
  seqScan: boolean;
  /** 'full' when some node sorts its whole input, 'incremental' when only ties of a presorted key are sorted. */
  sort: 'full' | 'incremental' | 'none';
  parallelWorkers: number;
  jitMs: number;
  executionMs: number;
}

export function summarize(plan: string): PlanSummary {
  const nodes = plan.split(/\n(?=\s*->)/);
  let rowsVisited = 0;
  const indexes = new Set<string>();
  for (const node of nodes) {
    const head = node.split('\n')[0] ?? '';
    const index = /(?:Index Scan|Index Only Scan)(?: Backward)? using (\S+) on workflow_status\b/.exec(head)?.[1];
    const bitmap = /Bitmap Index Scan on (\S+)/.exec(head)?.[1];
    for (const name of [index, bitmap]) if (name?.includes('workflow_status')) indexes.add(name);
    if (!/(?:Scan|Scan using \S+) on workflow_status\b/.test(head)) continue;
    const [, rows = '0', loops = '1'] = /actual time=[\d.]+\.\.[\d.]+ rows=(\d+) loops=(\d+)/.exec(head) ?? [];
    const removed = Number(/Rows Removed by Filter: (\d+)/.exec(node)?.[1] ?? 0);
    rowsVisited += (Number(rows) + removed) * Number(loops);
  }
  return {
    indexes: [...indexes],
    rowsVisited,
    seqScan: /Seq Scan on workflow_status\b/.test(plan),
    sort: /(^|->)\s*Sort {2}\(/m.test(plan) ? 'full' : /Incremental Sort/.test(plan) ? 'incremental' : 'none',
    parallelWorkers: Number(/Workers Launched: (\d+)/.exec(plan)?.[1] ?? 0),
    jitMs: Number(/JIT:[\s\S]*?Total ([\d.]+) ms/.exec(plan)?.[1] ?? 0),
    executionMs: Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? Number.NaN),
  };
}

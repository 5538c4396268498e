/**
 * `npm run bench:drivers`: each client operation on each driver, side by side in one run: round trips (SQL
 * statements at the driver, and HTTP requests at the Neon endpoint) and wall time per call. The drivers are the
 * test matrix's (test/fixtures/drivers.ts): postgres.js over TCP, Neon over HTTP and WebSocket through local
 * fixtures on the same Postgres, and PGlite in memory. Results also go to bench/results/drivers-<timestamp>.json.
 */

import { DBOSClient, ensureSchema } from '../src/index.ts';
import { DRIVER_CASES } from '../test/fixtures/drivers.ts';
import { countingDriver } from '../test/helpers/counting.ts';
import { fileStamp, writeJsonResult } from './report.ts';
import { percentile } from './stats.ts';

const ITERATIONS = 200;
const WARM_UP = 20;

type Op = { name: string; run: (client: DBOSClient, i: number) => Promise<unknown> };

/** Operations on rows made in `prepare`: a workflow with an event and a stream value, and 100 to list. */
function operations(target: string): Op[] {
  const q = { queueName: 'bench_drivers', workflowName: 'noop' };
  return [
    { name: 'enqueue', run: (c, i) => c.enqueue(q, i) },
    { name: 'enqueueMany (100)', run: (c) => c.enqueueMany(Array.from({ length: 100 }, () => ({ options: q }))) },
    { name: 'getWorkflow', run: (c) => c.getWorkflow(target) },
    { name: 'listWorkflows (100)', run: (c) => c.listWorkflows({ limit: 100, sortDesc: true }) },
    { name: 'listWorkflowSteps', run: (c) => c.listWorkflowSteps(target) },
    { name: 'send', run: (c, i) => c.send(target, i, 'bench') },
    { name: 'getEvent (set)', run: (c) => c.getEvent(target, 'ready', { timeoutMs: 5000 }) },
    { name: 'readStream (1 value, closed)', run: (c) => drain(c.readStream(target, 's')) },
    { name: 'cancelWorkflow', run: (c, i) => c.enqueue(q, i).then((h) => c.cancelWorkflow(h.workflowID)) },
  ];
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream);
}

interface Measured {
  driver: string;
  op: string;
  statementsPerCall: number;
  httpRequestsPerCall?: number;
  p50: number;
  p99: number;
}

async function main() {
  const results: Measured[] = [];
  for (const c of DRIVER_CASES) {
    process.stderr.write(`${c.name}: opening\n`);
    const open = await c.open();
    try {
      await ensureSchema(open.driver);
      const driver = countingDriver(open.driver);
      const client = new DBOSClient({ driver, listen: false });
      const target = 'bench-target';
      await client.enqueue({ queueName: 'bench_drivers', workflowName: 'noop', workflowID: target });
      await open.sql(
        `INSERT INTO dbos.workflow_events (workflow_uuid, key, value, serialization)
        VALUES ($1, 'ready', '1', 'portable_json')`,
        [target],
      );
      await open.sql(
        `INSERT INTO dbos.streams (workflow_uuid, key, value, "offset", serialization) VALUES
        ($1, 's', '1', 0, 'portable_json'), ($1, 's', '"__DBOS_STREAM_CLOSED__"', 1, 'portable_json')`,
        [target],
      );
      for (const op of operations(target)) {
        for (let i = 0; i < WARM_UP; i++) await op.run(client, i);
        const calls = driver.calls.length;
        const requests = open.httpRequests?.();
        const samples: number[] = [];
        for (let i = 0; i < ITERATIONS; i++) {
          const t = performance.now();
          await op.run(client, i);
          samples.push(performance.now() - t);
        }
        const m: Measured = {
          driver: c.name,
          op: op.name,
          // cancelWorkflow's enqueue is part of the call measured: subtract it out of the count.
          statementsPerCall: (driver.calls.length - calls) / ITERATIONS - (op.name === 'cancelWorkflow' ? 1 : 0),
          p50: percentile(samples, 50),
          p99: percentile(samples, 99),
        };
        if (requests !== undefined) {
          m.httpRequestsPerCall =
            ((open.httpRequests?.() ?? 0) - requests) / ITERATIONS - (op.name === 'cancelWorkflow' ? 1 : 0);
        }
        results.push(m);
        process.stderr.write(`${c.name}: ${op.name} done\n`);
      }
      await client.destroy();
    } finally {
      await open.close();
    }
  }
  print(results);
  console.log(
    `\n${await writeJsonResult(`drivers-${fileStamp(new Date().toISOString())}.json`, { iterations: ITERATIONS, results })}`,
  );
}

function print(results: Measured[]) {
  const drivers = [...new Set(results.map((r) => r.driver))];
  const ops = [...new Set(results.map((r) => r.op))];
  const cell = (r: Measured | undefined) =>
    r
      ? `${r.p50.toFixed(2)} ms · ${r.statementsPerCall}${r.httpRequestsPerCall !== undefined ? `/${r.httpRequestsPerCall}h` : ''}`
      : '-';
  console.log(
    `p50 per call · SQL statements per call (/HTTP requests for neon-http); cancelWorkflow excludes its enqueue\n`,
  );
  console.log(['operation'.padEnd(30), ...drivers.map((d) => d.padStart(22))].join(''));
  for (const op of ops) {
    console.log(
      [
        op.padEnd(30),
        ...drivers.map((d) => cell(results.find((r) => r.driver === d && r.op === op)).padStart(22)),
      ].join(''),
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

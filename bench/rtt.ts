/**
 * `npm run bench:rtt`: sequential enqueues when the database is a network round trip away, as it is from an
 * edge function. A local TCP proxy delays every chunk each way (so a round trip costs 2 × the delay) in front of the
 * same Postgres; dbos-edge (one statement per enqueue) and the SDK's client (BEGIN, two INSERTs, COMMIT) enqueue
 * through it in turn. Loopback makes round trips nearly free, which hides what they cost anywhere else.
 */
import { DBOSClient as SdkClient } from '@dbos-inc/dbos-sdk';
import { DBOSClient } from '../src/index.ts';
import { pgProxy } from '../test/fixtures/pg-proxy.ts';
import { createDbosDatabase } from '../test/helpers/pg.ts';
import { fileStamp, writeJsonResult } from './report.ts';

const DELAYS_MS = (process.env.DELAYS ?? '0,1,5,20').split(',').map(Number);
const ENQUEUES = Number(process.env.ENQUEUES ?? 50);

async function main() {
  const db = await createDbosDatabase('edge_bench_rtt');
  const base = new URL(db.url);
  const rows: { rttMs: number; edgeMs: number; sdkMs: number; ratio: number }[] = [];
  try {
    for (const delay of DELAYS_MS) {
      const proxy = await pgProxy({ host: base.hostname, port: Number(base.port || 5432) }, delay);
      const url = new URL(db.url);
      url.port = String(proxy.port);
      const edge = new DBOSClient({ systemDatabaseUrl: url.toString() });
      const sdk = await SdkClient.create({ systemDatabaseUrl: url.toString() });
      const q = { queueName: 'bench_rtt', workflowName: 'noop' };
      const per = async (f: (i: number) => Promise<unknown>) => {
        for (let i = 0; i < 5; i++) await f(i); // connect and warm up
        const t = performance.now();
        for (let i = 0; i < ENQUEUES; i++) await f(i);
        return (performance.now() - t) / ENQUEUES;
      };
      const edgeMs = await per((i) => edge.enqueue(q, i));
      const sdkMs = await per((i) => sdk.enqueue(q, i));
      rows.push({ rttMs: 2 * delay, edgeMs, sdkMs, ratio: sdkMs / edgeMs });
      await edge.destroy();
      await sdk.destroy();
      await proxy.close();
    }
  } finally {
    await db.drop();
  }
  console.log('sequential enqueue, ms per enqueue (ratio: how many times faster dbos-edge is)\n');
  console.log('| round trip | dbos-edge | SDK client | ratio |\n| --: | --: | --: | --: |');
  for (const r of rows) {
    console.log(`| ${r.rttMs} ms | ${r.edgeMs.toFixed(2)} | ${r.sdkMs.toFixed(2)} | ${r.ratio.toFixed(2)}× |`);
  }
  console.log(
    `\n${await writeJsonResult(`rtt-${fileStamp(new Date().toISOString())}.json`, { enqueues: ENQUEUES, rows })}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

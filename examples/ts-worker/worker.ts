/**
 * A DBOS worker in TypeScript (`@dbos-inc/dbos-sdk`): it runs what dbos-edge enqueues on the `example` queue.
 *
 *   npm run dev                                   # in another terminal: the service and its embedded database
 *   node --import tsx examples/ts-worker/worker.ts
 *
 * It connects to `DBOS_SYSTEM_DATABASE_URL` (default: the database `npm run dev` serves) as the application
 * `example-ts`. In an app of your own: `npm install @dbos-inc/dbos-sdk`, and run it as you run your app.
 */
import { DBOS } from '@dbos-inc/dbos-sdk';

const systemDatabaseUrl = process.env.DBOS_SYSTEM_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5433/postgres';

// Registered under an explicit name: the name a client sends as `workflowName`.
DBOS.registerWorkflow(
  async (name: string) => {
    const greeting = await DBOS.runStep(async () => `Hello, ${name}!`, { name: 'compose' });
    return { greeting, by: 'typescript', workflowID: DBOS.workflowID };
  },
  { name: 'greet' },
);

DBOS.setConfig({ name: 'example-ts', systemDatabaseUrl, runAdminServer: false });
await DBOS.launch();
// Queues live in the database: registered after launch. A client enqueues to one by name.
await DBOS.registerQueue('example', { minPollingIntervalMs: 100 });
console.log(`example-ts worker ready on the example queue (${systemDatabaseUrl.replace(/:[^:@/]*@/, '@')})`);

const stop = async () => {
  await DBOS.shutdown();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

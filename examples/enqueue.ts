/**
 * Enqueues `greet(name)` for one of the example workers and prints the result it returns.
 *
 *   npm run example -- ts Ada      # the TypeScript worker (examples/ts-worker)
 *   npm run example -- py Grace    # the Python worker (examples/python-worker)
 *
 * Both workers serve the `example` queue; the application name picks which one runs it. It talks to the database
 * directly (`DBOS_SYSTEM_DATABASE_URL`, default: the one `npm run dev` serves); the same over HTTP is in the README.
 */
import { DBOSClient } from 'dbos-edge';

const [language = 'ts', name = 'world'] = process.argv.slice(2);
if (language !== 'ts' && language !== 'py') {
  console.error('usage: enqueue.ts ts|py [name]');
  process.exit(2);
}

const client = new DBOSClient({
  systemDatabaseUrl: process.env.DBOS_SYSTEM_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5433/postgres',
  applicationName: `example-${language}`,
});
try {
  const handle = await client.enqueue({ queueName: 'example', workflowName: 'greet' }, name);
  console.log(JSON.stringify({ workflowID: handle.workflowID, result: await handle.getResult({ timeoutMs: 30_000 }) }));
} finally {
  await client.destroy();
}

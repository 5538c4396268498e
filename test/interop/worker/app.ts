/**
 * The DBOS application the interop suite runs as its worker: a real @dbos-inc/dbos-sdk 5.3.0 app in its own
 * process. Every workflow is registered under an explicit name, because that name is what a client must send.
 * Configuration comes from the environment; the harness starts it and waits for the `WORKER READY` line.
 */
import { randomUUID } from 'node:crypto';
import { ConfiguredInstance, DBOS } from '@dbos-inc/dbos-sdk';

const systemDatabaseUrl = required('DBOS_SYSTEM_DATABASE_URL');
const appName = required('INTEROP_APP_NAME');
const appVersion = required('INTEROP_APP_VERSION');

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`worker: ${name} is not set`);
  return value;
}

/** A workflow error with a name, a code and data, to check that the client rebuilds all of them. */
class PaymentError extends Error {
  readonly code = 'E_PAY';
  constructor(
    message: string,
    readonly data: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'PaymentError';
  }
}

DBOS.registerWorkflow(async (...args: unknown[]) => args, { name: 'echo' });
DBOS.registerWorkflow(async (a: number, b: number) => a + b, { name: 'add' });
DBOS.registerWorkflow(
  async () => ({ user: DBOS.authenticatedUser, roles: DBOS.authenticatedRoles, workflowID: DBOS.workflowID }),
  { name: 'whoami' },
);
const sleeper = DBOS.registerWorkflow(
  async (ms: number) => {
    await DBOS.sleep(ms);
    return ms;
  },
  { name: 'sleeper' },
);
// The time is taken in a step, so it is the time the workflow ran, kept across recovery.
DBOS.registerWorkflow(
  async (label: string) => ({ label, at: await DBOS.runStep(async () => Date.now(), { name: 'now' }) }),
  {
    name: 'stamp',
  },
);
DBOS.registerWorkflow(
  async (tag: string) => {
    const results: string[] = [tag];
    for (const name of ['s0', 's1', 's2']) results.push(await DBOS.runStep(async () => randomUUID(), { name }));
    return results;
  },
  { name: 'three_steps' },
);
DBOS.registerWorkflow(
  async () => {
    await DBOS.runStep(async () => ({ ok: 1 }), { name: 'ok_step' });
    try {
      await DBOS.runStep(
        async () => {
          throw new Error('step failed');
        },
        { name: 'bad_step', retriesAllowed: false },
      );
    } catch {
      return 'recovered';
    }
    return 'not reached';
  },
  { name: 'step_error' },
);
DBOS.registerWorkflow(
  async (msg: string) => {
    throw new PaymentError(`payment failed: ${msg}`, { msg });
  },
  { name: 'failing' },
);
DBOS.registerWorkflow(
  async (ms: number) => {
    const child = await DBOS.startWorkflow(sleeper)(ms);
    return child.getResult();
  },
  { name: 'parent' },
);

// --- messages, events, streams -----------------------------------------------------------------------
DBOS.registerWorkflow(async (topic: string | null) => DBOS.recv(topic ?? undefined, 30), { name: 'receiver' });
// Everything sent on `topic` until "stop", in order.
DBOS.registerWorkflow(
  async (topic: string) => {
    const got: unknown[] = [];
    for (;;) {
      const message = await DBOS.recv(topic, 30);
      if (message === 'stop' || message === null) return got;
      got.push(message);
    }
  },
  { name: 'collector' },
);
DBOS.registerWorkflow(
  async () => {
    await DBOS.setEvent('before', 'early');
    const go = await DBOS.recv('go', 30);
    await DBOS.setEvent('after', { go });
    return go;
  },
  { name: 'emitter' },
);
// Writes n values one step at a time, then closes the stream, fails, or just returns.
DBOS.registerWorkflow(
  async (n: number, end: 'close' | 'fail' | 'return', gapMs: number) => {
    for (let i = 0; i < n; i++) {
      await DBOS.writeStream('s', { i });
      if (gapMs > 0) await DBOS.sleep(gapMs);
    }
    if (end === 'close') await DBOS.closeStream('s');
    if (end === 'fail') throw new Error('stream broke');
    return n;
  },
  { name: 'streamer' },
);
// Hands a received payload back three ways: as an event, a stream value and the result.
DBOS.registerWorkflow(
  async () => {
    const payload = await DBOS.recv('payload', 30);
    await DBOS.setEvent('payload', payload);
    await DBOS.writeStream('payload', payload);
    await DBOS.closeStream('payload');
    return payload;
  },
  { name: 'mirror' },
);

// --- schedules: DBOS calls a scheduled workflow with (scheduledDate, context) --------------------------
DBOS.registerWorkflow(
  async (scheduledDate: Date | string, context: unknown) => ({
    isDate: scheduledDate instanceof Date,
    at: scheduledDate instanceof Date ? scheduledDate.toISOString() : scheduledDate,
    context,
  }),
  { name: 'scheduled' },
);

// A static-only class on purpose: DBOS names class workflows by their class (`Billing`, `refund`).
// biome-ignore lint/complexity/noStaticOnlyClass: the class is the DBOS registration unit under test
export class Billing {
  @DBOS.workflow()
  static async refund(orderId: string, amount: number) {
    const r = await DBOS.runStep(async () => ({ refunded: amount }), { name: 'refund_step' });
    return { orderId, ...r };
  }
}

export class Greeter extends ConfiguredInstance {
  constructor(
    name: string,
    private readonly greeting: string,
  ) {
    super(name);
  }

  @DBOS.workflow()
  async greet(who: string) {
    return `${this.greeting}, ${who}`;
  }
}
new Greeter('eu', 'Hallo');

async function main() {
  DBOS.setConfig({
    name: appName,
    systemDatabaseUrl,
    applicationVersion: appVersion,
    logLevel: process.env.DBOS_LOG_LEVEL ?? 'warn',
    runAdminServer: false,
    // Pick up schedules created by the tests promptly (the SDK's default is 30 s after the first minute).
    schedulerPollingIntervalMs: 200,
  });
  await DBOS.launch();
  // Queues live in Postgres: they are registered after launch. Short polls keep the suite quick.
  await DBOS.registerQueue('interop', { workerConcurrency: 50, minPollingIntervalMs: 10 });
  await DBOS.registerQueue('serial', { globalConcurrency: 1, minPollingIntervalMs: 10 });
  await DBOS.registerQueue('partitioned', { partitionConcurrency: 1, minPollingIntervalMs: 10 });
  // For bulk tests: its own queue, so thousands of workflows never hold up the other tests' queue.
  await DBOS.registerQueue('bulk', { workerConcurrency: 20, minPollingIntervalMs: 10 });
  console.log(`WORKER READY ${JSON.stringify({ appName, appVersion: DBOS.applicationVersion, pid: process.pid })}`);
  const stop = async () => {
    await DBOS.shutdown();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  console.error('WORKER FAILED', error);
  process.exit(1);
});

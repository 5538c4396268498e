/**
 * Asks DBOS Python's own DBOSClient (./client_probe.py in a subprocess) what dbos-edge is asked too. One process
 * per target serves every batch of a test file, as its start-up is the slow part; `closePythonProbe` ends it.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PythonSerializer } from './harness.ts';
import { ensurePythonRuntime, PYTHON, pythonDatabaseUrl, pythonEnvironment } from './runtime.ts';

const PROBE = fileURLToPath(new URL('./client_probe.py', import.meta.url));

export type ProbeQuery =
  | { op: 'status'; id: string }
  | { op: 'result'; id: string }
  | { op: 'list'; filters: Record<string, unknown> }
  | { op: 'steps'; id: string; load_output?: boolean }
  | { op: 'enqueue'; options: Record<string, unknown>; args?: unknown[]; kwargs?: Record<string, unknown> }
  | { op: 'get_event'; id: string; key: string; timeout?: number }
  | { op: 'read_stream'; id: string; key: string }
  | { op: 'schedule'; name: string }
  | { op: 'backfill'; name: string; start: string; end: string }
  | { op: 'create_schedule'; schedule: Record<string, unknown> }
  | { op: 'pause_schedule'; name: string }
  | { op: 'send'; id: string; message: unknown; topic?: string; key?: string }
  | { op: 'set_delay'; id: string; seconds: number }
  | { op: 'queue'; name: string }
  | { op: 'queues' }
  | { op: 'register_queue'; name: string; options?: Record<string, unknown> }
  | { op: 'versions' }
  | { op: 'latest_version' }
  | { op: 'set_latest_version'; name: string }
  | { op: 'rename'; old: string | null; new: string; adopt?: boolean };

export interface ProbeTarget {
  databaseUrl: string;
  appName: string;
  serializer: PythonSerializer;
}

interface Probe {
  child: ChildProcessWithoutNullStreams;
  output: string;
  /** Requests are answered in order; each waits for the one before it. */
  queue: Promise<unknown>;
}

const probes = new Map<string, Probe>();

const probeKey = (target: ProbeTarget) => `${target.databaseUrl} ${target.appName} ${target.serializer}`;

function probeFor(target: ProbeTarget): Probe {
  const key = probeKey(target);
  const existing = probes.get(key);
  if (existing) return existing;
  ensurePythonRuntime();
  const child = spawn(PYTHON, [PROBE], {
    env: {
      ...pythonEnvironment(),
      PROBE_URL: pythonDatabaseUrl(target.databaseUrl),
      PROBE_APP: target.appName,
      PROBE_SERIALIZER: target.serializer,
    },
  });
  const probe: Probe = { child, output: '', queue: Promise.resolve() };
  child.stdout.on('data', (chunk) => {
    probe.output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    probe.output += chunk;
  });
  process.once('exit', () => child.kill('SIGKILL'));
  probes.set(key, probe);
  return probe;
}

/** The Python client's answers, one per query in order (`{ raised: { name, message } }` where it threw). */
export function probePython(target: ProbeTarget, queries: ProbeQuery[]): Promise<unknown[]> {
  const probe = probeFor(target);
  const answered = probe.queue.then(() => ask(probe, queries));
  probe.queue = answered.catch(() => undefined);
  return answered;
}

function ask(probe: Probe, queries: ProbeQuery[]): Promise<unknown[]> {
  const start = probe.output.length;
  return new Promise((resolve, reject) => {
    const onData = () => {
      const line = /^PROBE (.*)$/m.exec(probe.output.slice(start));
      if (!line?.[1]) return;
      stop();
      resolve((JSON.parse(line[1]) as { answers: unknown[] }).answers);
    };
    const onExit = (code: number | null) => {
      stop();
      reject(new Error(`client_probe.py exited with code ${code}:\n${probe.output}`));
    };
    const stop = () => {
      probe.child.stdout.off('data', onData);
      probe.child.off('exit', onExit);
    };
    probe.child.stdout.on('data', onData);
    probe.child.once('exit', onExit);
    probe.child.stdin.write(`${JSON.stringify({ queries })}\n`);
  });
}

/** Ends the target's probe process, once the questions already asked are answered. */
export async function closePythonProbe(target: ProbeTarget): Promise<void> {
  const key = probeKey(target);
  const probe = probes.get(key);
  if (!probe) return;
  probes.delete(key);
  await probe.queue;
  const { child } = probe;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin.end();
  await exited;
}

/**
 * Runs ./client_probe.py, DBOS Python's own DBOSClient in a subprocess, to ask it what dbos-edge is asked too.
 * One process answers a whole batch of queries, as its start-up is the slow part.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PythonSerializer } from './harness.ts';
import { ensurePythonRuntime, PYTHON, pythonDatabaseUrl, pythonEnvironment } from './runtime.ts';

const PROBE = fileURLToPath(new URL('./client_probe.py', import.meta.url));

export type ProbeQuery =
  | { op: 'status'; id: string }
  | { op: 'result'; id: string }
  | { op: 'list'; filters: Record<string, unknown> }
  | { op: 'steps'; id: string }
  | { op: 'enqueue'; options: Record<string, unknown>; args?: unknown[]; kwargs?: Record<string, unknown> }
  | { op: 'get_event'; id: string; key: string; timeout?: number }
  | { op: 'read_stream'; id: string; key: string }
  | { op: 'schedule'; name: string };

export interface ProbeTarget {
  databaseUrl: string;
  appName: string;
  serializer: PythonSerializer;
}

/** The Python client's answers, one per query in order (`{ raised: { name, message } }` where it threw). */
export async function probePython(target: ProbeTarget, queries: ProbeQuery[]): Promise<unknown[]> {
  ensurePythonRuntime();
  const child = spawn(PYTHON, [PROBE], { env: pythonEnvironment(), stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const request = {
    url: pythonDatabaseUrl(target.databaseUrl),
    app: target.appName,
    serializer: target.serializer,
    queries,
  };
  child.stdin.end(JSON.stringify(request));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  const line = /^PROBE (.*)$/m.exec(output);
  if (code !== 0 || !line?.[1]) throw new Error(`client_probe.py exited with code ${code}:\n${output}`);
  return (JSON.parse(line[1]) as { answers: unknown[] }).answers;
}

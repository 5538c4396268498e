/**
 * JSON out. Workflow values decoded from native (superjson) payloads may hold bigints, Maps, Sets and errors, which
 * `JSON.stringify` cannot write or writes as `{}`: they become decimal strings, objects, arrays and
 * `{ name, message, ... }`. A workflow error keeps its name, message, code and data, never a stack.
 */

/** The public JSON shape of an error value (a `DBOSWorkflowError`, a `DBOSSerializationError`, any `Error`). */
export function errorJson(e: Error): Record<string, unknown> {
  const x = e as Error & { code?: unknown; errorCode?: unknown; data?: unknown; serialization?: unknown };
  const out: Record<string, unknown> = { name: x.name, message: x.message };
  if (x.code === 'WORKFLOW_ERROR') {
    out.errorCode = x.errorCode ?? null;
    if (x.data !== undefined) out.data = x.data;
  } else if (typeof x.code === 'string') {
    out.code = x.code;
  }
  if (typeof x.serialization === 'string') out.serialization = x.serialization;
  return out;
}

function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), v]));
  if (value instanceof Set) return [...value];
  if (value instanceof Error) return errorJson(value);
  return value;
}

export function jsonText(value: unknown): string {
  return JSON.stringify(value, replacer) ?? 'null';
}

export function jsonResponse(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(jsonText(value), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

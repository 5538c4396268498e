/**
 * What the commands call: the service's /v1 API over a `fetch`. The same class serves both connections: `--service`
 * passes the network's fetch with the bearer token, direct mode the in-process router over a client on the database
 * URL (see `connect.ts`), so every command answers, fails and exits the same way in both.
 */
import { CliError, EXIT, exitCodeOfStatus, problemLine } from './exit.ts';

export type Fetch = (request: Request) => Promise<Response>;
export type Json = Record<string, unknown>;
export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

const path = (...segments: string[]) => segments.map(encodeURIComponent).join('/');

export class Api {
  readonly #fetch: Fetch;
  readonly #base: string;

  constructor(fetch: Fetch, base: string) {
    this.#fetch = fetch;
    this.#base = base.replace(/\/+$/, '');
  }

  async #send(method: string, route: string, options: { query?: Query; body?: unknown } = {}): Promise<Response> {
    const url = new URL(`${this.#base}${route}`);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
    }
    const init: RequestInit = { method };
    if (options.body !== undefined) {
      init.body = JSON.stringify(options.body);
      init.headers = { 'content-type': 'application/json' };
    }
    let response: Response;
    try {
      response = await this.#fetch(new Request(url, init));
    } catch (e) {
      throw new CliError(`cannot reach ${url.origin}: ${e instanceof Error ? e.message : String(e)}`, EXIT.failure);
    }
    if (response.status >= 400) {
      const problem = (await response.json().catch(() => ({ status: response.status }))) as Json;
      throw new CliError(problemLine({ status: response.status, ...problem }), exitCodeOfStatus(response.status));
    }
    return response;
  }

  async #json(method: string, route: string, options: { query?: Query; body?: unknown } = {}) {
    const response = await this.#send(method, route, options);
    return { status: response.status, body: (response.status === 204 ? {} : await response.json()) as Json };
  }

  async get(route: string, query?: Query): Promise<Json> {
    return (await this.#json('GET', route, { query })).body;
  }

  /** A long poll: the body, and whether it answered 200 (ready) rather than 202. */
  async poll(route: string, query?: Query): Promise<{ ready: boolean; body: Json }> {
    const { status, body } = await this.#json('GET', route, { query });
    return { ready: status === 200, body };
  }

  async post(route: string, body?: unknown): Promise<Json> {
    return (await this.#json('POST', route, { body: body ?? {} })).body;
  }

  async put(route: string, body?: unknown): Promise<Json> {
    return (await this.#json('PUT', route, { body: body ?? {} })).body;
  }

  async patch(route: string, body: unknown): Promise<Json> {
    return (await this.#json('PATCH', route, { body })).body;
  }

  async delete(route: string): Promise<void> {
    await this.#json('DELETE', route);
  }

  // ------------------------------------------------------------------ the routes the commands use

  workflow = (id: string, ...rest: string[]) => `/v1/workflows/${path(id, ...rest)}`;
  schedule = (name: string, ...rest: string[]) => `/v1/schedules/${path(name, ...rest)}`;
  queue = (name: string) => `/v1/queues/${path(name)}`;

  /** `POST /v1/workflow-bulk/{action}`: reports each batch, resolves with the total. */
  async bulk(action: string, body: Json, onProgress: (done: number) => void): Promise<number> {
    const response = await this.#send('POST', `/v1/workflow-bulk/${path(action)}`, { body });
    for await (const line of lines(response)) {
      const item = JSON.parse(line) as Json;
      if (item.problem) {
        const p = item.problem as Json;
        throw new CliError(problemLine(p), exitCodeOfStatus(Number(p.status)));
      }
      if (typeof item.count === 'number') return item.count;
      if (typeof item.done === 'number') onProgress(item.done);
    }
    throw new CliError('the service ended the bulk action without a total', EXIT.failure);
  }

  /** Reads a stream's Server-Sent Events, calling `onValue` with each value and its offset, until `end`. */
  async tail(
    workflowID: string,
    key: string,
    offset: number,
    onValue: (value: unknown, offset: number) => void,
  ): Promise<void> {
    const response = await this.#send('GET', this.workflow(workflowID, 'streams', key), { query: { offset } });
    let event = 'message';
    let id = '';
    let data = '';
    for await (const line of lines(response)) {
      if (line === '') {
        if (event === 'end') return;
        if (event === 'error') {
          const p = JSON.parse(data) as Json;
          throw new CliError(problemLine(p), exitCodeOfStatus(Number(p.status)));
        }
        if (data !== '') onValue(JSON.parse(data), Number(id));
        event = 'message';
        data = '';
      } else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    throw new CliError('the stream was cut off before it ended', EXIT.failure);
  }
}

/** The lines of a response body as they arrive. */
async function* lines(response: Response): AsyncGenerator<string> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk, { stream: true });
    let at = buffered.indexOf('\n');
    while (at >= 0) {
      yield buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      at = buffered.indexOf('\n');
    }
  }
  if (buffered !== '') yield buffered;
}

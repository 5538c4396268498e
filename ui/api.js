// The service's /v1 API as the console calls it: the session's token, problems as errors, long polls, streams.
import { enc, refresh, say } from './dom.js';

const TOKEN_KEY = 'dbos-edge-token';
export const LONG_POLL_MS = 25_000;
export { ACTIVE, RESUMABLE, STATUSES } from './statuses.js';

export const session = { token: sessionStorage.getItem(TOKEN_KEY) ?? '', scope: undefined, open: false };
export const canWrite = () => session.scope === 'full';

/** Ends with the view that started them: its timers, long polls and streams. */
let view = new AbortController();
export const viewSignal = () => view.signal;
export function startView() {
  view.abort();
  view = new AbortController();
  return view.signal;
}

let unauthorized = () => {};
/** What to do when the service refuses the token (401). */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

export function keepToken(token) {
  session.token = token;
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
  session.token = '';
  session.scope = undefined;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : (problem.title ?? `HTTP ${status}`));
    this.status = status;
  }
}

export function headers(json) {
  return {
    ...(session.token ? { authorization: `Bearer ${session.token}` } : {}),
    ...(json ? { 'content-type': 'application/json' } : {}),
  };
}

export async function api(path, { method = 'GET', query = {}, body, signal } = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== '') url.searchParams.append(name, String(item));
    }
  }
  const response = await fetch(url, {
    method,
    headers: headers(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: signal ?? view.signal,
  });
  if (response.status >= 400) {
    const problem = await response.json().catch(() => ({}));
    if (response.status === 401) unauthorized();
    throw new ApiError(response.status, problem);
  }
  return { status: response.status, body: response.status === 204 ? null : await response.json() };
}

/** Runs a write, says how it went, and re-renders the view. */
export async function act(label, call) {
  try {
    await call();
    say(`${label}: done`);
  } catch (e) {
    say(`${label} failed: ${e.message}`, true);
  }
  refresh();
}

/** Reads a stream's Server-Sent Events from `offset`, calling `onValue`; resolves at its end event. */
export async function readStream(id, key, offset, onValue, signal) {
  const response = await fetch(`/v1/workflows/${enc(id)}/streams/${enc(key)}?offset=${offset}`, {
    headers: headers(false),
    signal,
  });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  let event = { name: 'message', id: '', data: '' };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return false;
    buffered += value;
    for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      if (line === '') {
        if (event.name === 'end') return true;
        if (event.name === 'error') throw new Error(JSON.parse(event.data).title);
        if (event.data !== '') onValue(JSON.parse(event.data), Number(event.id));
        event = { name: 'message', id: '', data: '' };
      } else if (line.startsWith('event: ')) event.name = line.slice(7);
      else if (line.startsWith('id: ')) event.id = line.slice(4);
      else if (line.startsWith('data: ')) event.data += line.slice(6);
    }
  }
}

// dbos-edge console: one page over the service's /v1 API, no framework and nothing from a CDN.
// Views live in the URL hash (#/workflows, #/workflows/<id>, #/queues, #/schedules, #/send). The token is asked
// for once and kept in sessionStorage; GET /v1/whoami tells its scope, and a read token is shown no write buttons.
// Live updates: the workflow list and queues refresh on a timer, a running workflow's result is long-polled
// (GET …/result?timeoutMs=), events are long-polled, and streams are read as Server-Sent Events through fetch
// (EventSource cannot send the Authorization header).

const TOKEN_KEY = 'dbos-edge-token';
const LONG_POLL_MS = 25_000;
const REFRESH_MS = 5_000;
const STATUSES = ['ENQUEUED', 'DELAYED', 'PENDING', 'SUCCESS', 'ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED'];
const ACTIVE = ['ENQUEUED', 'DELAYED', 'PENDING'];
const RESUMABLE = ['CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED'];

const main = document.getElementById('main');
const notice = document.getElementById('notice');
const session = { token: sessionStorage.getItem(TOKEN_KEY) ?? '', scope: undefined, open: false };
/** Stops the current view's timers, long polls and streams; replaced by each view. */
let view = new AbortController();

// ------------------------------------------------------------------ DOM and formatting

/** An element: `h('a', { href, class, onclick }, 'text', child)`. */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (name === 'value') el.value = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) el.append(child);
  }
  return el;
}

const time = (ms) => (typeof ms === 'number' ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '');
const pretty = (value) => (value === undefined ? '' : JSON.stringify(value, null, 2));
const inline = (value) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
const statusBadge = (status) => h('span', { class: `status status-${status}` }, status);
const canWrite = () => session.scope === 'full';
const enc = encodeURIComponent;

function duration(start, end) {
  if (typeof start !== 'number' || typeof end !== 'number') return '';
  const ms = end - start;
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function say(text, isError = false) {
  notice.textContent = text;
  notice.className = isError ? 'error-text' : '';
}

function field(label, control) {
  return h('label', {}, label, control);
}

// ------------------------------------------------------------------ the API

class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : (problem.title ?? `HTTP ${status}`));
    this.status = status;
  }
}

function headers(json) {
  return {
    ...(session.token ? { authorization: `Bearer ${session.token}` } : {}),
    ...(json ? { 'content-type': 'application/json' } : {}),
  };
}

async function api(path, { method = 'GET', query = {}, body, signal } = {}) {
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
    if (response.status === 401) signOut('That token was not accepted: enter it again.');
    throw new ApiError(response.status, problem);
  }
  return { status: response.status, body: response.status === 204 ? null : await response.json() };
}

/** Runs a write, says how it went, and re-renders the view. */
async function act(label, call) {
  try {
    await call();
    say(`${label}: done`);
  } catch (e) {
    say(`${label} failed: ${e.message}`, true);
  }
  render();
}

/** Asks before a write; resolves with the dialog's form values, or null when the user backs out. */
function confirmAction(text, fields = []) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = text;
  const box = document.getElementById('confirm-fields');
  box.replaceChildren(
    ...fields.map((f) =>
      field(f.label, h('input', { name: f.name, type: f.type ?? 'text', value: f.value, required: true })),
    ),
  );
  dialog.returnValue = '';
  dialog.showModal();
  (box.querySelector('input') ?? document.getElementById('confirm-ok')).focus();
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        if (dialog.returnValue !== 'ok') return resolve(null);
        resolve(Object.fromEntries(fields.map((f) => [f.name, box.querySelector(`[name="${f.name}"]`).value])));
      },
      { once: true },
    );
  });
}

/** Calls `tick` every `ms` until `signal` (the view that started it) ends. */
function every(ms, tick, signal) {
  if (signal.aborted) return;
  const timer = setInterval(tick, ms);
  signal.addEventListener('abort', () => clearInterval(timer));
}

// ------------------------------------------------------------------ sign in

function signOut(message = '') {
  sessionStorage.removeItem(TOKEN_KEY);
  session.token = '';
  session.scope = undefined;
  loginView(message);
}

async function whoami() {
  const response = await fetch('/v1/whoami', { headers: headers(false) });
  if (response.status === 401) return false;
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
  const me = await response.json();
  session.scope = me.scope;
  session.open = me.open;
  document.getElementById('who').textContent = me.open
    ? 'open service (no tokens)'
    : me.scope === 'full'
      ? 'full-access token'
      : 'read-only token';
  document.getElementById('sign-out').hidden = me.open;
  return true;
}

function loginView(message) {
  view.abort();
  view = new AbortController();
  document.getElementById('who').textContent = '';
  document.getElementById('sign-out').hidden = true;
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', required: true });
  const error = h('p', { class: 'error-text', role: 'alert' }, message);
  const form = h(
    'form',
    {
      class: 'inline',
      'aria-label': 'Sign in',
      onsubmit: async (event) => {
        event.preventDefault();
        session.token = input.value.trim();
        try {
          if (!(await whoami())) {
            error.textContent = 'That token was not accepted.';
            return;
          }
          sessionStorage.setItem(TOKEN_KEY, session.token);
          render();
        } catch (e) {
          error.textContent = e.message;
        }
      },
    },
    field('API token', input),
    h('button', { type: 'submit' }, 'Sign in'),
  );
  main.replaceChildren(
    h('h2', {}, 'Sign in'),
    h('p', {}, 'Enter a dbos-edge API token. It is kept for this browser tab only.'),
    form,
    error,
  );
  input.focus();
}

// ------------------------------------------------------------------ workflows

function workflowRows(workflows) {
  return workflows.map((w) =>
    h(
      'tr',
      {},
      h('td', {}, h('a', { href: `#/workflows/${enc(w.workflowID)}` }, w.workflowID)),
      h('td', {}, statusBadge(w.status)),
      h('td', {}, w.workflowName),
      h('td', {}, w.queueName ?? ''),
      h('td', {}, time(w.createdAt)),
      h('td', {}, time(w.updatedAt)),
    ),
  );
}

function workflowTable(caption) {
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'list' },
    h('caption', { class: 'skip' }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Workflow ID', 'Status', 'Name', 'Queue', 'Created', 'Updated'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    body,
  );
  return { table, body };
}

function workflowsView(params) {
  const filter = {
    status: params.get('status') ?? '',
    workflowName: params.get('name') ?? '',
    queueName: params.get('queue') ?? '',
    workflowIDPrefix: params.get('prefix') ?? '',
    startTime: params.get('after') ?? '',
    endTime: params.get('before') ?? '',
  };
  const cursor = params.get('cursor') ?? '';
  const limit = params.get('limit') ?? '25';
  const control = (name, value, props = {}) => h('input', { name, value, ...props });
  const form = h(
    'form',
    {
      class: 'filters',
      'aria-label': 'Filters',
      onsubmit: (event) => {
        event.preventDefault();
        const data = new FormData(form);
        const next = new URLSearchParams();
        for (const [name, value] of data) if (value !== '') next.set(name, String(value));
        location.hash = `#/workflows?${next}`;
      },
    },
    field(
      'Status',
      h(
        'select',
        { name: 'status' },
        h('option', { value: '' }, 'any'),
        ...STATUSES.map((s) => h('option', { value: s, selected: s === filter.status }, s)),
      ),
    ),
    field('Workflow name', control('name', filter.workflowName)),
    field('Queue', control('queue', filter.queueName)),
    field('Workflow ID prefix', control('prefix', filter.workflowIDPrefix)),
    field('Created after', control('after', filter.startTime, { placeholder: '2026-01-01T00:00:00Z' })),
    field('Created before', control('before', filter.endTime, { placeholder: '2026-12-31T00:00:00Z' })),
    field(
      'Page size',
      h(
        'select',
        { name: 'limit' },
        ...['10', '25', '100'].map((n) => h('option', { value: n, selected: n === limit }, n)),
      ),
    ),
    h('button', { type: 'submit' }, 'Apply'),
  );
  const { table, body } = workflowTable('Workflows');
  const paging = h('div', { class: 'actions' });
  main.replaceChildren(h('h2', {}, 'Workflows'), form, table, paging);

  const load = async () => {
    const { body: page } = await api('/v1/workflow-pages', {
      query: { ...filter, limit, cursor, sortDesc: true, loadInput: false },
    });
    body.replaceChildren(...workflowRows(page.workflows));
    if (page.workflows.length === 0) body.append(h('tr', {}, h('td', { colspan: 6 }, 'No workflows match.')));
    const here = new URLSearchParams(params);
    here.delete('cursor');
    const next = new URLSearchParams(here);
    if (page.nextCursor) next.set('cursor', page.nextCursor);
    paging.replaceChildren(
      ...(cursor ? [h('a', { href: `#/workflows?${here}`, id: 'first-page' }, 'First page')] : []),
      ...(page.nextCursor ? [h('a', { href: `#/workflows?${next}`, id: 'next-page' }, 'Next page')] : []),
    );
  };
  const signal = view.signal;
  return load().then(() => every(REFRESH_MS, () => load().catch(() => {}), signal));
}

async function queuesView() {
  const body = h('tbody');
  const note = h('p');
  main.replaceChildren(
    h('h2', {}, 'Queues'),
    h('p', {}, 'Workflows waiting or running on each queue, by status.'),
    h(
      'table',
      { class: 'list' },
      h('thead', {}, h('tr', {}, ...['Queue', ...ACTIVE, 'Total'].map((t) => h('th', { scope: 'col' }, t)))),
      body,
    ),
    note,
  );
  const load = async () => {
    const { body: page } = await api('/v1/queues/workflows', { query: { limit: 1000, loadInput: false } });
    const counts = new Map();
    for (const w of page.workflows) {
      const row = counts.get(w.queueName) ?? Object.fromEntries(ACTIVE.map((s) => [s, 0]));
      row[w.status] = (row[w.status] ?? 0) + 1;
      counts.set(w.queueName, row);
    }
    body.replaceChildren(
      ...[...counts]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([queue, row]) =>
          h(
            'tr',
            {},
            h('td', {}, h('a', { href: `#/workflows?queue=${enc(queue)}` }, queue)),
            ...ACTIVE.map((s) => h('td', { 'data-status': s }, String(row[s] ?? 0))),
            h('td', {}, String(ACTIVE.reduce((sum, s) => sum + (row[s] ?? 0), 0))),
          ),
        ),
    );
    if (counts.size === 0) body.append(h('tr', {}, h('td', { colspan: ACTIVE.length + 2 }, 'No queued workflows.')));
    note.textContent = page.nextOffset === null ? '' : 'Counts of the first 1000 queued workflows; more are waiting.';
  };
  const signal = view.signal;
  await load();
  every(REFRESH_MS, () => load().catch(() => {}), signal);
}

// ------------------------------------------------------------------ one workflow

function stepTimeline(steps) {
  const starts = steps.map((s) => s.startedAtEpochMs).filter((t) => typeof t === 'number');
  const ends = steps.map((s) => s.completedAtEpochMs).filter((t) => typeof t === 'number');
  const origin = Math.min(...starts);
  const span = Math.max(1, Math.max(...ends) - origin);
  const bar = (s) => {
    if (typeof s.startedAtEpochMs !== 'number' || typeof s.completedAtEpochMs !== 'number') return '';
    const left = ((s.startedAtEpochMs - origin) / span) * 100;
    const width = ((s.completedAtEpochMs - s.startedAtEpochMs) / span) * 100;
    const fill = h('div', {
      class: `bar${s.error ? ' failed' : ''}`,
      title: duration(s.startedAtEpochMs, s.completedAtEpochMs),
    });
    // Set through CSSOM: the page's Content-Security-Policy allows no inline style attributes.
    fill.style.marginLeft = `${left}%`;
    fill.style.width = `${width}%`;
    return h('div', { class: 'track' }, fill);
  };
  return h(
    'table',
    { class: 'timeline' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Step', 'Name', 'Outcome', 'Duration', 'Timeline', 'Child workflow'].map((t) =>
          h('th', { scope: 'col' }, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...steps.map((s) =>
        h(
          'tr',
          { 'data-step': s.functionID },
          h('td', {}, String(s.functionID)),
          h('td', {}, s.name),
          h(
            'td',
            {},
            s.error ? h('span', { class: 'error-text' }, `${s.error.name}: ${s.error.message}`) : inline(s.output),
          ),
          h('td', { class: 'duration' }, duration(s.startedAtEpochMs, s.completedAtEpochMs)),
          h('td', {}, bar(s)),
          h(
            'td',
            {},
            s.childWorkflowID ? h('a', { href: `#/workflows/${enc(s.childWorkflowID)}` }, s.childWorkflowID) : '',
          ),
        ),
      ),
    ),
  );
}

function eventsSection(id) {
  const key = h('input', { id: 'event-key', required: true });
  const out = h('pre', { id: 'event-value', 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'inline',
      'aria-label': 'Read an event',
      onsubmit: async (event) => {
        event.preventDefault();
        out.textContent = 'waiting…';
        try {
          for (;;) {
            const { status, body } = await api(`/v1/workflows/${enc(id)}/events/${enc(key.value)}`, {
              query: { timeoutMs: LONG_POLL_MS },
            });
            if (status === 200) {
              out.textContent = pretty(body.value);
              return;
            }
          }
        } catch (e) {
          if (!view.signal.aborted) out.textContent = e.message;
        }
      },
    },
    field('Event key', key),
    h('button', { type: 'submit' }, 'Read event'),
  );
  return h('section', { 'aria-labelledby': 'events-title' }, h('h3', { id: 'events-title' }, 'Events'), form, out);
}

/** Reads a stream's Server-Sent Events from `offset`, calling `onValue`; resolves at its end event. */
async function readStream(id, key, offset, onValue) {
  const response = await fetch(`/v1/workflows/${enc(id)}/streams/${enc(key)}?offset=${offset}`, {
    headers: headers(false),
    signal: view.signal,
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

function streamSection(id) {
  const key = h('input', { id: 'stream-key', required: true });
  const list = h('ol', { id: 'stream-values', start: 0, 'aria-live': 'polite' });
  const state = h('p', { id: 'stream-state' });
  const form = h(
    'form',
    {
      class: 'inline',
      'aria-label': 'Tail a stream',
      onsubmit: async (event) => {
        event.preventDefault();
        list.replaceChildren();
        state.textContent = 'live';
        let next = 0;
        try {
          // A dropped connection resumes after the last value seen.
          while (
            !(await readStream(id, key.value, next, (value, offset) => {
              list.append(h('li', { value: offset }, inline(value)));
              next = offset + 1;
            }))
          ) {
            state.textContent = 'reconnecting';
          }
          state.textContent = 'ended';
        } catch (e) {
          if (!view.signal.aborted) state.textContent = e.message;
        }
      },
    },
    field('Stream key', key),
    h('button', { type: 'submit' }, 'Tail stream'),
  );
  return h(
    'section',
    { 'aria-labelledby': 'streams-title' },
    h('h3', { id: 'streams-title' }, 'Streams'),
    form,
    state,
    list,
  );
}

function sendForm(destination) {
  const idInput = h('input', { name: 'workflowID', value: destination ?? '', required: true });
  const topic = h('input', { name: 'topic' });
  const message = h('textarea', { name: 'message', rows: 3, required: true });
  const key = h('input', { name: 'idempotencyKey' });
  const form = h(
    'form',
    {
      class: 'filters',
      id: 'send-form',
      'aria-label': 'Send a message',
      onsubmit: async (event) => {
        event.preventDefault();
        let value;
        try {
          value = JSON.parse(message.value);
        } catch {
          value = message.value;
        }
        try {
          await api(`/v1/workflows/${enc(idInput.value)}/messages`, {
            method: 'POST',
            body: {
              message: value,
              ...(topic.value ? { topic: topic.value } : {}),
              ...(key.value ? { idempotencyKey: key.value } : {}),
            },
          });
          say(`Message sent to ${idInput.value}`);
          message.value = '';
        } catch (e) {
          say(`Send failed: ${e.message}`, true);
        }
      },
    },
    ...(destination ? [] : [field('Workflow ID', idInput)]),
    field('Topic', topic),
    field('Message (JSON or text)', message),
    field('Idempotency key', key),
    h('button', { type: 'submit' }, 'Send'),
  );
  return form;
}

function workflowActions(w, steps) {
  if (!canWrite()) return '';
  const id = w.workflowID;
  const post = (path, body) => api(`/v1/workflows/${enc(id)}/${path}`, { method: 'POST', body: body ?? {} });
  const buttons = [];
  if (ACTIVE.includes(w.status)) {
    buttons.push(
      h(
        'button',
        {
          id: 'cancel',
          class: 'danger',
          onclick: async () => (await confirmAction(`Cancel workflow ${id}?`)) && act('Cancel', () => post('cancel')),
        },
        'Cancel',
      ),
    );
  }
  if (RESUMABLE.includes(w.status)) {
    buttons.push(
      h(
        'button',
        {
          id: 'resume',
          onclick: async () =>
            (await confirmAction(`Resume workflow ${id} under the same ID?`)) && act('Resume', () => post('resume')),
        },
        'Resume',
      ),
    );
  }
  const firstStep = steps.length > 0 ? Math.min(...steps.map((s) => s.functionID)) : 0;
  buttons.push(
    h(
      'button',
      {
        id: 'fork',
        onclick: async () => {
          const answer = await confirmAction(
            `Fork workflow ${id}: a new workflow re-runs from this step on, reusing the checkpoints before it.`,
            [{ name: 'step', label: 'Start from step', type: 'number', value: String(firstStep) }],
          );
          if (!answer) return;
          try {
            const { body } = await post('fork', { startStep: Number(answer.step) });
            say(`Forked as ${body.workflowID}`);
            location.hash = `#/workflows/${enc(body.workflowID)}`;
          } catch (e) {
            say(`Fork failed: ${e.message}`, true);
          }
        },
      },
      'Fork from step…',
    ),
  );
  return h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' }, ...buttons);
}

async function workflowView(id) {
  const [{ body: w }, { body: stepPage }] = await Promise.all([
    api(`/v1/workflows/${enc(id)}`),
    api(`/v1/workflows/${enc(id)}/steps`, { query: { limit: 1000 } }),
  ]);
  const steps = stepPage.steps;
  const facts = [
    ['Status', statusBadge(w.status)],
    ['Name', w.workflowName],
    ['Queue', w.queueName],
    ['Application', w.applicationName],
    ['Version', w.applicationVersion],
    ['Executor', w.executorId],
    ['Created', time(w.createdAt)],
    ['Updated', time(w.updatedAt)],
    ['Dequeued', time(w.dequeuedAt)],
    ['Completed', time(w.completedAt)],
    ['Forked from', w.forkedFrom ? h('a', { href: `#/workflows/${enc(w.forkedFrom)}` }, w.forkedFrom) : undefined],
    [
      'Parent',
      w.parentWorkflowID ? h('a', { href: `#/workflows/${enc(w.parentWorkflowID)}` }, w.parentWorkflowID) : undefined,
    ],
    ['Recovery attempts', String(w.recoveryAttempts)],
  ].filter(([, v]) => v !== undefined && v !== '');
  main.replaceChildren(
    h('p', {}, h('a', { href: '#/workflows' }, '← Workflows')),
    h('h2', {}, 'Workflow ', h('code', { id: 'workflow-id' }, w.workflowID)),
    workflowActions(w, steps),
    h('dl', { id: 'facts' }, ...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h('section', {}, h('h3', {}, 'Input'), h('pre', { id: 'input' }, pretty(w.input))),
    ...(w.output !== undefined
      ? [h('section', {}, h('h3', {}, 'Output'), h('pre', { id: 'output' }, pretty(w.output)))]
      : []),
    ...(w.error
      ? [
          h(
            'section',
            {},
            h('h3', {}, 'Error'),
            h(
              'pre',
              { id: 'error', class: 'error-text' },
              `${w.error.name}: ${w.error.message}`,
              w.error.data === undefined ? '' : `\n${pretty(w.error.data)}`,
            ),
          ),
        ]
      : []),
    h(
      'section',
      { 'aria-labelledby': 'steps-title' },
      h('h3', { id: 'steps-title' }, `Steps (${steps.length})`),
      steps.length ? stepTimeline(steps) : h('p', {}, 'No steps yet.'),
    ),
    eventsSection(id),
    streamSection(id),
    ...(canWrite() ? [h('section', {}, h('h3', {}, 'Send a message'), sendForm(id))] : []),
  );
  if (ACTIVE.includes(w.status)) void waitForResult(id);
}

/** Long-polls a running workflow's result and shows the workflow again when it finishes. */
async function waitForResult(id) {
  const signal = view.signal;
  try {
    for (;;) {
      const { status } = await api(`/v1/workflows/${enc(id)}/result`, { query: { timeoutMs: LONG_POLL_MS }, signal });
      if (status === 200) break;
    }
    if (!signal.aborted) render();
  } catch {
    // The view changed, or the service went away: the next render starts over.
  }
}

// ------------------------------------------------------------------ schedules

async function schedulesView() {
  const { body } = await api('/v1/schedules');
  const action = (s, name, label, extra = {}) =>
    h(
      'button',
      {
        'data-action': name,
        'aria-label': `${label} ${s.scheduleName}`,
        onclick: async () => {
          if (name === 'backfill') {
            const hour = 3_600_000;
            const answer = await confirmAction(
              `Backfill ${s.scheduleName}: run every tick strictly between start and end.`,
              [
                { name: 'start', label: 'Start (ISO 8601)', value: new Date(Date.now() - 24 * hour).toISOString() },
                { name: 'end', label: 'End (ISO 8601)', value: new Date().toISOString() },
              ],
            );
            if (answer)
              await act('Backfill', () =>
                api(`/v1/schedules/${enc(s.scheduleName)}/backfill`, { method: 'POST', body: answer }),
              );
            return;
          }
          if (await confirmAction(`${label} schedule ${s.scheduleName}?`)) {
            await act(label, () => api(`/v1/schedules/${enc(s.scheduleName)}/${name}`, { method: 'POST', body: {} }));
          }
        },
        ...extra,
      },
      label,
    );
  const rows = body.schedules.map((s) =>
    h(
      'tr',
      { 'data-schedule': s.scheduleName },
      h('td', {}, s.scheduleName),
      h('td', {}, statusBadge(s.status)),
      h('td', {}, s.workflowName),
      h('td', {}, h('code', {}, s.schedule)),
      h('td', {}, s.cronTimezone ?? 'UTC'),
      h('td', {}, s.queueName ?? ''),
      h('td', {}, time(s.lastFiredAt)),
      ...(canWrite()
        ? [
            h(
              'td',
              {},
              h(
                'div',
                { class: 'actions' },
                s.status === 'ACTIVE' ? action(s, 'pause', 'Pause') : action(s, 'resume', 'Resume'),
                action(s, 'trigger', 'Trigger'),
                action(s, 'backfill', 'Backfill…'),
              ),
            ),
          ]
        : []),
    ),
  );
  const headings = [
    'Schedule',
    'Status',
    'Workflow',
    'Cron',
    'Timezone',
    'Queue',
    'Last fired',
    ...(canWrite() ? ['Actions'] : []),
  ];
  main.replaceChildren(
    h('h2', {}, 'Schedules'),
    h(
      'table',
      { class: 'list' },
      h('thead', {}, h('tr', {}, ...headings.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...rows),
    ),
    ...(rows.length === 0 ? [h('p', {}, 'No schedules.')] : []),
  );
}

function sendView() {
  main.replaceChildren(
    h('h2', {}, 'Send a message'),
    canWrite() ? sendForm() : h('p', {}, 'Sending needs a full-access token.'),
  );
}

// ------------------------------------------------------------------ routing and keys

async function render() {
  view.abort();
  view = new AbortController();
  if (session.scope === undefined) {
    try {
      if (!(await whoami())) return loginView('');
    } catch (e) {
      return loginView(e.message);
    }
  }
  const [path, search = ''] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(search);
  const parts = (path || '/workflows').split('/').filter(Boolean);
  for (const link of document.querySelectorAll('nav a')) {
    if (link.dataset.view === parts[0]) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  try {
    if (parts[0] === 'workflows' && parts[1]) await workflowView(decodeURIComponent(parts.slice(1).join('/')));
    else if (parts[0] === 'queues') await queuesView();
    else if (parts[0] === 'schedules') await schedulesView();
    else if (parts[0] === 'send') sendView();
    else await workflowsView(params);
  } catch (e) {
    if (view.signal.aborted) return;
    main.replaceChildren(
      h('h2', {}, 'Could not load this view'),
      h('p', { class: 'error-text', role: 'alert' }, e.message),
    );
  }
}

/** j / k move through a table's rows (Enter opens the focused link), / jumps to the first filter. */
function onKey(event) {
  if (event.target.closest('input, textarea, select, dialog') || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === '/') {
    const first = main.querySelector('form.filters input, form.filters select');
    if (first) {
      event.preventDefault();
      first.focus();
    }
    return;
  }
  if (event.key !== 'j' && event.key !== 'k') return;
  const rows = [...main.querySelectorAll('table.list tbody tr')].filter((r) => r.querySelector('a, button'));
  if (rows.length === 0) return;
  const at = rows.findIndex((r) => r.classList.contains('selected'));
  const next = Math.min(rows.length - 1, Math.max(0, at + (event.key === 'j' ? 1 : -1)));
  for (const r of rows) r.classList.remove('selected');
  rows[next].classList.add('selected');
  rows[next].querySelector('a, button').focus();
  event.preventDefault();
}

document.getElementById('sign-out').addEventListener('click', () => signOut(''));
document.addEventListener('keydown', onKey);
window.addEventListener('hashchange', () => {
  say('');
  render();
  main.focus();
});
render();

// dbos-edge console: one page over the service's /v1 API, no framework and nothing from a CDN.
// Views live in the URL hash (#/workflows, #/workflows/<id>, #/queues, #/schedules, #/send). The token is asked
// for once and kept in sessionStorage; GET /v1/whoami tells its scope, and a read token is shown no write buttons.
// Live updates: the workflow list and queues refresh on a timer, a running workflow's result is long-polled
// (GET …/result?timeoutMs=), events are long-polled, and streams are read as Server-Sent Events through fetch
// (EventSource cannot send the Authorization header).

import {
  ACTIVE,
  ApiError,
  act,
  api,
  canWrite,
  forgetToken,
  headers,
  keepToken,
  onUnauthorized,
  STATUSES,
  session,
  startView,
  viewSignal,
} from './api.js';
import { confirmAction, enc, every, field, h, main, say, statusBadge, time } from './dom.js';
import { sendForm, workflowView } from './workflow.js';

const REFRESH_MS = 5_000;

// ------------------------------------------------------------------ sign in

function signOut(message = '') {
  forgetToken();
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
  startView();
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
          keepToken(session.token);
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
  const signal = viewSignal();
  return load().then(() => every(REFRESH_MS, () => load().catch(() => {}), signal));
}

async function queuesView() {
  const body = h('tbody');
  main.replaceChildren(
    h('h2', {}, 'Queues'),
    h('p', {}, 'Workflows waiting or running on each queue, by status.'),
    h(
      'table',
      { class: 'list' },
      h('thead', {}, h('tr', {}, ...['Queue', ...ACTIVE, 'Total'].map((t) => h('th', { scope: 'col' }, t)))),
      body,
    ),
  );
  const load = async () => {
    const { body: counted } = await api('/v1/queue-counts');
    body.replaceChildren(
      ...counted.queues.map((row) =>
        h(
          'tr',
          {},
          h('td', {}, h('a', { href: `#/workflows?queue=${enc(row.queueName)}` }, row.queueName)),
          ...ACTIVE.map((s) => h('td', { 'data-status': s }, String(row[s] ?? 0))),
          h('td', {}, String(ACTIVE.reduce((sum, s) => sum + (row[s] ?? 0), 0))),
        ),
      ),
    );
    if (counted.queues.length === 0) {
      body.append(h('tr', {}, h('td', { colspan: ACTIVE.length + 2 }, 'No queued workflows.')));
    }
  };
  const signal = viewSignal();
  await load();
  every(REFRESH_MS, () => load().catch(() => {}), signal);
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

/** Shows the view the hash names; `main[data-ready]` holds that hash once it is on screen. */
async function render() {
  const signal = startView();
  delete main.dataset.ready;
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
    if (signal.aborted) return;
    main.replaceChildren(
      h('h2', {}, 'Could not load this view'),
      h('p', { class: 'error-text', role: 'alert' }, e.message),
    );
  }
  if (!signal.aborted) main.dataset.ready = location.hash;
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
onUnauthorized(() => signOut('That token was not accepted: enter it again.'));
window.addEventListener('console-refresh', () => render());
document.addEventListener('keydown', onKey);
window.addEventListener('hashchange', () => {
  say('');
  render();
  main.focus();
});
render();

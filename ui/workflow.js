// One workflow: its status, input, output and error, the step timeline, events, streams, actions and messages.
import { ACTIVE, act, api, canWrite, LONG_POLL_MS, RESUMABLE, readStream, viewSignal } from './api.js';
import {
  confirmAction,
  duration,
  enc,
  field,
  h,
  inline,
  main,
  pretty,
  refresh,
  say,
  statusBadge,
  time,
} from './dom.js';

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
        // The wait belongs to this view: leaving it ends the long poll.
        const signal = viewSignal();
        out.textContent = 'waiting…';
        try {
          for (;;) {
            const { status, body } = await api(`/v1/workflows/${enc(id)}/events/${enc(key.value)}`, {
              query: { timeoutMs: LONG_POLL_MS },
              signal,
            });
            if (status === 200) {
              out.textContent = pretty(body.value);
              return;
            }
          }
        } catch (e) {
          if (!signal.aborted) out.textContent = e.message;
        }
      },
    },
    field('Event key', key),
    h('button', { type: 'submit' }, 'Read event'),
  );
  return h('section', { 'aria-labelledby': 'events-title' }, h('h3', { id: 'events-title' }, 'Events'), form, out);
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
        const signal = viewSignal();
        list.replaceChildren();
        state.textContent = 'live';
        let next = 0;
        try {
          // A dropped connection resumes after the last value seen.
          while (
            !(await readStream(
              id,
              key.value,
              next,
              (value, offset) => {
                list.append(h('li', { value: offset }, inline(value)));
                next = offset + 1;
              },
              signal,
            ))
          ) {
            state.textContent = 'reconnecting';
          }
          state.textContent = 'ended';
        } catch (e) {
          if (!signal.aborted) state.textContent = e.message;
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

export function sendForm(destination) {
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

export async function workflowView(id) {
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
    ...(w.namedArgs !== undefined
      ? [h('section', {}, h('h3', {}, 'Named arguments'), h('pre', { id: 'named-args' }, pretty(w.namedArgs)))]
      : []),
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
  const signal = viewSignal();
  try {
    for (;;) {
      const { status } = await api(`/v1/workflows/${enc(id)}/result`, { query: { timeoutMs: LONG_POLL_MS }, signal });
      if (status === 200) break;
    }
    if (!signal.aborted) refresh();
  } catch {
    // The view changed, or the service went away: the next render starts over.
  }
}

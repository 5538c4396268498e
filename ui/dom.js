// DOM building, formatting, the notice line and the confirmation dialog of the console.

export const main = document.getElementById('main');
const notice = document.getElementById('notice');

/** An element: `h('a', { href, class, onclick }, 'text', child)`. */
export function h(tag, props = {}, ...children) {
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

export const time = (ms) => (typeof ms === 'number' ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '');
export const pretty = (value) => (value === undefined ? '' : JSON.stringify(value, null, 2));
export const inline = (value) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
export const statusBadge = (status) => h('span', { class: `status status-${status}` }, status);
export const enc = encodeURIComponent;

export function duration(start, end) {
  if (typeof start !== 'number' || typeof end !== 'number') return '';
  const ms = end - start;
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function say(text, isError = false) {
  notice.textContent = text;
  notice.className = isError ? 'error-text' : '';
}

export function field(label, control) {
  return h('label', {}, label, control);
}

/** Asks before a write; resolves with the dialog's form values, or null when the user backs out. */
export function confirmAction(text, fields = []) {
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
export function every(ms, tick, signal) {
  if (signal.aborted) return;
  const timer = setInterval(tick, ms);
  signal.addEventListener('abort', () => clearInterval(timer));
}

/** Asks the page to show its current view again (after a write). */
export function refresh() {
  window.dispatchEvent(new Event('console-refresh'));
}

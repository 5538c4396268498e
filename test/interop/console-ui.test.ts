/**
 * The web console at /ui in a real headless Chromium (Debian's `chromium`, driven by puppeteer-core), over the HTTP
 * service on a real socket, showing workflows the real DBOS worker ran: sign-in with a token, every view and
 * action, live updates (a running workflow's status, a stream written while it is tailed, an event set while it is
 * awaited), keyboard navigation and labelled controls, no request leaving the origin, and a read token that sees no
 * write buttons. A screenshot of each view goes to .ci/out/ui/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../src/http/index.ts';
import { uiApp } from '../../src/http/ui.ts';
import { DBOSClient, type WorkflowHandle } from '../../src/index.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = new URL('../../.ci/out/ui/', import.meta.url).pathname;
const FULL = 'ui-full-token-0123456789abcdef';
const READ = 'ui-read-token-0123456789abcdef';
/** Workflows the tests leave waiting: a queue no worker polls, so its counts hold still. */
const IDLE_QUEUE = `console-ui-${Date.now().toString(36)}`;

const url = inject('interopDatabaseUrl');
const appName = inject('interopAppName');

let client: DBOSClient;
let server: ServerType;
let base: string;
let browser: Browser;
let page: Page;
let profile: string;
const foreignRequests: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (see .ci/run)`);
  client = new DBOSClient({ systemDatabaseUrl: url, applicationName: appName });
  const app = createApp({
    client,
    logger: false,
    ui: uiApp(),
    tokens: [
      { token: FULL, scope: 'full' },
      { token: READ, scope: 'read' },
    ],
  });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mkdirSync(SHOTS, { recursive: true });
  profile = mkdtempSync(join(tmpdir(), 'dbos-edge-chromium-'));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
    ],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.on('request', (request) => {
    if (!request.url().startsWith(base)) foreignRequests.push(request.url());
  });
});

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await client?.cancelWorkflows({ filter: { queueName: IDLE_QUEUE } }).catch(() => {});
  await client?.destroy();
});

// ------------------------------------------------------------------ helpers

async function run(workflowName: string, ...args: unknown[]): Promise<WorkflowHandle> {
  return client.enqueue({ queueName: 'interop', workflowName }, ...args);
}

const text = (selector: string) => page.$eval(selector, (el) => (el as HTMLElement).textContent);
const shot = (name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });

/** Goes to a view and waits until it is on screen (or the sign-in form is). */
async function open(hash: string) {
  await page.goto(`${base}/ui/${hash}`);
  await page.waitForFunction(
    () => document.getElementById('main')?.dataset.ready === location.hash || document.getElementById('token'),
  );
}

async function waitForText(selector: string, expected: string | RegExp, timeout = 20_000) {
  await page.waitForFunction(
    (sel, source, flags) => {
      const el = document.querySelector(sel) as HTMLElement | null;
      return !!el && new RegExp(source, flags).test(el.textContent);
    },
    { timeout },
    selector,
    typeof expected === 'string' ? expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : expected.source,
    typeof expected === 'string' ? '' : expected.flags,
  );
}

/** Clicks a button that opens the confirmation dialog, optionally fills its fields, and confirms. */
async function confirmVia(button: string, fields: Record<string, string> = {}) {
  await page.click(button);
  await page.waitForSelector('dialog#confirm[open]');
  for (const [name, value] of Object.entries(fields)) {
    await page.$eval(`dialog#confirm [name="${name}"]`, (el, v) => ((el as HTMLInputElement).value = v), value);
  }
  await page.click('#confirm-ok');
}

async function signIn(token: string) {
  await page.click('#sign-out');
  await page.waitForSelector('#token');
  expect(await page.evaluate(() => sessionStorage.getItem('dbos-edge-token'))).toBeNull();
  await page.type('#token', token);
  await page.keyboard.press('Enter');
  await page.waitForSelector('form.filters, main h2');
  await waitForText('#who', /token/);
}

// ------------------------------------------------------------------ the tests

describe('the console at /ui', () => {
  it('serves its page and assets with a strict policy and nothing from another origin', async () => {
    const response = await fetch(`${base}/ui/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain('<script type="module" src="app.js">');
    for (const asset of ['app.js', 'style.css']) {
      const body = await (await fetch(`${base}/ui/${asset}`)).text();
      expect(body).not.toMatch(/https?:\/\//);
    }
    expect((await fetch(`${base}/ui`, { redirect: 'manual' })).headers.get('location')).toBe('/ui/');
    expect((await fetch(`${base}/ui/nope.js`)).status).toBe(404);
  });

  it('asks for a token once, refuses a wrong one, and keeps a good one for the tab', async () => {
    await open('#/workflows');
    expect(await page.$eval('#token', (el) => (el as HTMLInputElement).labels?.[0]?.textContent)).toBe('API token');
    await shot('sign-in');
    await page.type('#token', 'not-the-token-0123456789');
    await page.keyboard.press('Enter');
    await waitForText('main [role="alert"]', 'not accepted');
    await page.$eval('#token', (el) => ((el as HTMLInputElement).value = ''));
    await page.type('#token', FULL);
    await page.keyboard.press('Enter');
    await page.waitForSelector('form.filters');
    expect(await text('#who')).toBe('full-access token');
    expect(await page.evaluate(() => sessionStorage.getItem('dbos-edge-token'))).toBe(FULL);
    await page.reload();
    await page.waitForSelector('form.filters');
  });

  it('lists workflows the worker ran, with filters and cursor pages', async () => {
    const prefix = `ui-list-${Date.now().toString(36)}`;
    const handles = [];
    for (let i = 0; i < 12; i++) {
      handles.push(
        await client.enqueue({ queueName: 'interop', workflowName: 'echo', workflowID: `${prefix}-${i}` }, i),
      );
    }
    const failed = await client.enqueue(
      { queueName: 'interop', workflowName: 'failing', workflowID: `${prefix}-failed` },
      'card declined',
    );
    await Promise.all(handles.map((h) => h.getResult({ timeoutMs: 30_000 })));
    await failed.getResult({ timeoutMs: 30_000 }).catch(() => {});
    await open(`#/workflows?prefix=${prefix}&limit=10`);
    await page.waitForSelector('table.list tbody tr a');
    expect(await page.$$eval('table.list tbody tr', (rows) => rows.length)).toBe(10);
    await shot('workflows');
    await page.click('#next-page');
    await waitForText('table.list tbody', `${prefix}-0`);
    expect(await page.$$eval('table.list tbody tr', (rows) => rows.length)).toBe(3);
    await page.click('#first-page');
    await waitForText('table.list tbody', `${prefix}-failed`);
    await page.select('select[name="status"]', 'ERROR');
    await page.click('form.filters button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('table.list tbody tr').length === 1);
    const cells = await page.$$eval('table.list tbody td', (tds) => tds.map((td) => td.textContent));
    expect(cells.slice(0, 3)).toEqual([`${prefix}-failed`, 'ERROR', 'failing']);
    expect(page.url()).toContain('status=ERROR');
  });

  it('moves through rows with j and k, opens with Enter, jumps to the filters with /, and labels every control', async () => {
    await open('#/workflows?limit=10');
    await page.waitForSelector('table.list tbody tr a');
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    const focused = await page.evaluate(() => (document.activeElement as HTMLAnchorElement).getAttribute('href'));
    const first = await page.$eval('table.list tbody tr a', (a) => a.getAttribute('href'));
    expect(focused).toBe(first);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#workflow-id');
    expect(page.url()).toContain(first as string);
    await open('#/workflows');
    await page.keyboard.press('/');
    expect(await page.evaluate(() => (document.activeElement as HTMLSelectElement).name)).toBe('status');
    // Every control on every view has a label.
    for (const hash of ['#/workflows', '#/send', first as string]) {
      await open(hash);
      const unlabelled = await page.$$eval('main input, main select, main textarea', (controls) =>
        controls
          .filter((c) => (c as HTMLInputElement).labels?.length === 0 && !c.getAttribute('aria-label'))
          .map((c) => c.outerHTML),
      );
      expect(unlabelled).toEqual([]);
    }
    // The nav is reachable by Tab.
    await open('#/workflows');
    await page.focus('.skip');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Workflows');
  });

  it('shows a workflow: status, input and output, the step timeline with durations, and an error', async () => {
    const steps = await run('three_steps', 'ui-tag');
    await steps.getResult({ timeoutMs: 30_000 });
    await open(`#/workflows/${encodeURIComponent(steps.workflowID)}`);
    await waitForText('#facts', 'SUCCESS');
    expect(await text('#input')).toContain('"ui-tag"');
    expect(JSON.parse(await text('#output'))[0]).toBe('ui-tag');
    const rows = await page.$$eval('table.timeline tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td as HTMLElement).textContent)),
    );
    expect(rows.map((r) => r[1])).toEqual(['s0', 's1', 's2']);
    for (const r of rows) expect(r[3]).toMatch(/^\d+(\.\d+)? (ms|s)$/);
    expect(await page.$$eval('table.timeline .bar', (bars) => bars.length)).toBe(3);
    await shot('workflow-detail');

    const failing = await run('failing', 'no funds');
    await failing.getResult({ timeoutMs: 30_000 }).catch(() => {});
    await open(`#/workflows/${encodeURIComponent(failing.workflowID)}`);
    await waitForText('#error', 'payment failed: no funds');
    expect(await text('#facts')).toContain('ERROR');
    expect(await page.$('#named-args')).toBeNull();

    // Keyword arguments (a Python workflow's kwargs) have their own section; parked on a queue no worker serves.
    const named = await client.enqueuePortable({ queueName: 'ui-parked', workflowName: 'py_checkout' }, ['sku-1'], {
      coupon: 'SPRING',
    });
    await open(`#/workflows/${encodeURIComponent(named.workflowID)}`);
    await waitForText('#facts', 'ENQUEUED');
    expect(JSON.parse(await text('#input'))).toEqual(['sku-1']);
    expect(JSON.parse(await text('#named-args'))).toEqual({ coupon: 'SPRING' });
    await client.cancelWorkflow(named.workflowID);
  });

  it('updates a running workflow live and tails its stream as the worker writes it', async () => {
    const streamer = await run('streamer', 4, 'close', 400);
    await open(`#/workflows/${encodeURIComponent(streamer.workflowID)}`);
    await page.type('#stream-key', 's');
    await page.click('form[aria-label="Tail a stream"] button');
    await waitForText('#stream-state', 'ended');
    const values = await page.$$eval('#stream-values li', (lis) =>
      lis.map((li) => [(li as HTMLLIElement).value, (li as HTMLElement).textContent]),
    );
    expect(values).toEqual([
      [0, '{"i":0}'],
      [1, '{"i":1}'],
      [2, '{"i":2}'],
      [3, '{"i":3}'],
    ]);
    await shot('workflow-stream');
    // The page long-polls the result and shows the finished workflow without a reload.
    await waitForText('#facts', 'SUCCESS');
    expect(await text('#output')).toBe('4');
  });

  it('reads an event set after the page asked for it, with a message sent from the page', async () => {
    const emitter = await run('emitter');
    await client.getEvent(emitter.workflowID, 'before', { timeoutMs: 30_000 });
    await open(`#/workflows/${encodeURIComponent(emitter.workflowID)}`);
    await page.type('#event-key', 'before');
    await page.click('form[aria-label="Read an event"] button');
    await waitForText('#event-value', '"early"');
    await page.$eval('#event-key', (el) => ((el as HTMLInputElement).value = 'after'));
    await page.click('form[aria-label="Read an event"] button');
    await waitForText('#event-value', 'waiting');
    await page.type('#send-form [name="topic"]', 'go');
    await page.type('#send-form [name="message"]', '{"x":1}');
    await page.click('#send-form button[type="submit"]');
    await waitForText('#event-value', /"go":\s*\{\s*"x": 1/);
    await waitForText('#notice', 'Message sent');
  });

  it('cancels, resumes and forks from a step, each after a confirmation', async () => {
    const sleeper = await run('sleeper', 60_000);
    await open(`#/workflows/${encodeURIComponent(sleeper.workflowID)}`);
    await page.click('#cancel');
    await page.waitForSelector('dialog#confirm[open]');
    await page.keyboard.press('Escape');
    expect((await client.getWorkflow(sleeper.workflowID))?.status).not.toBe('CANCELLED');
    await confirmVia('#cancel');
    await waitForText('#facts', 'CANCELLED');
    expect((await client.getWorkflow(sleeper.workflowID))?.status).toBe('CANCELLED');
    await confirmVia('#resume');
    await waitForText('#facts', /ENQUEUED|PENDING/);
    await client.cancelWorkflow(sleeper.workflowID);

    const original = await run('three_steps', 'fork-me');
    const firstRun = (await original.getResult({ timeoutMs: 30_000 })) as string[];
    await open(`#/workflows/${encodeURIComponent(original.workflowID)}`);
    await waitForText('#facts', 'SUCCESS');
    await confirmVia('#fork', { step: '2' });
    await page.waitForFunction((id) => !location.hash.includes(encodeURIComponent(id)), {}, original.workflowID);
    await waitForText('#facts', original.workflowID);
    const forkedID = await text('#workflow-id');
    await waitForText('#facts', 'SUCCESS');
    const forked = (await client.retrieveWorkflow(forkedID).getResult()) as string[];
    // Steps before 2 reuse the original's checkpoints; step 2 ran again.
    expect(forked.slice(0, 3)).toEqual(firstRun.slice(0, 3));
    expect(forked[3]).not.toBe(firstRun[3]);
  });

  it('counts queued workflows by status per queue, and links to them', async () => {
    for (let i = 0; i < 3; i++) await client.enqueue({ queueName: IDLE_QUEUE, workflowName: 'echo' }, i);
    await open('#/queues');
    await waitForText('table.list tbody', IDLE_QUEUE);
    const row = await page.$$eval(
      'table.list tbody tr',
      (trs, queue) =>
        trs
          .filter((tr) => tr.querySelector('a')?.textContent === queue)
          .map((tr) => [...tr.querySelectorAll('td')].map((td) => (td as HTMLElement).textContent)),
      IDLE_QUEUE,
    );
    expect(row).toEqual([[IDLE_QUEUE, '3', '0', '0', '3']]);
    await shot('queues');
    await page.click(`a[href="#/workflows?queue=${IDLE_QUEUE}"]`);
    await page.waitForFunction(() => document.querySelectorAll('table.list tbody tr a').length === 3);
  });

  it('pauses, resumes, triggers and backfills a schedule', async () => {
    const name = `ui-nightly-${Date.now().toString(36)}`;
    await client.createSchedule({ scheduleName: name, workflowName: 'scheduled', schedule: '0 0 * * *' });
    await open('#/schedules');
    const row = `tr[data-schedule="${name}"]`;
    await page.waitForSelector(row);
    await shot('schedules');
    await confirmVia(`${row} button[data-action="pause"]`);
    await waitForText(row, 'PAUSED');
    await confirmVia(`${row} button[data-action="resume"]`);
    await waitForText(row, 'ACTIVE');
    await confirmVia(`${row} button[data-action="trigger"]`);
    await waitForText('#notice', 'Trigger: done');
    // The write re-renders the view: act on the new table, not the one it replaces.
    await page.waitForSelector('main[data-ready]');
    await confirmVia(`${row} button[data-action="backfill"]`, {
      start: '2026-01-01T12:00:00Z',
      end: '2026-01-04T12:00:00Z',
    });
    await waitForText('#notice', 'Backfill: done');
    const runs = await client.listWorkflows({ scheduleName: name });
    expect(runs.length).toBe(4);
    await client.deleteSchedule(name);
  });

  it('sends a message from the send view to a workflow waiting in DBOS.recv', async () => {
    const receiver = await run('receiver', 'ui-topic');
    await open('#/send');
    await page.type('#send-form [name="workflowID"]', receiver.workflowID);
    await page.type('#send-form [name="topic"]', 'ui-topic');
    await page.type('#send-form [name="message"]', '{"hello":"from the console"}');
    await shot('send');
    await page.click('#send-form button[type="submit"]');
    await waitForText('#notice', 'Message sent');
    expect(await receiver.getResult({ timeoutMs: 30_000 })).toEqual({ hello: 'from the console' });
  });

  it('shows a read token no write buttons', async () => {
    const done = await run('three_steps', 'read-only');
    await done.getResult({ timeoutMs: 30_000 });
    const sleeper = await run('sleeper', 60_000);
    await signIn(READ);
    expect(await text('#who')).toBe('read-only token');
    await open(`#/workflows/${encodeURIComponent(sleeper.workflowID)}`);
    await page.waitForSelector('#facts');
    expect(await page.$('#cancel')).toBeNull();
    expect(await page.$('#fork')).toBeNull();
    expect(await page.$('#send-form')).toBeNull();
    await shot('workflow-read-only');
    await open('#/schedules');
    expect(await page.$('main button[data-action]')).toBeNull();
    await open('#/send');
    expect(await text('main')).toContain('needs a full-access token');
    await client.cancelWorkflow(sleeper.workflowID);
    expect(foreignRequests).toEqual([]);
  });
});

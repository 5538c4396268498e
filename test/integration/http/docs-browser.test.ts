/**
 * The docs page in a real headless Chromium (Debian's `chromium`, driven by puppeteer-core), served by the app on a
 * real socket in both auth modes: the auth note is the first thing on the page, descriptions show code elements and
 * no backticks, an example unfolds without any script, nothing is fetched from elsewhere and nothing is logged as an
 * error (a CSP violation would be). A screenshot of each mode goes to .ci/out/docs/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreateAppOptions, createApp } from '../../../src/http/index.ts';
import { DBOSClient } from '../../../src/index.ts';
import { TOKENS } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = new URL('../../../.ci/out/docs/', import.meta.url).pathname;

let client: DBOSClient;
let browser: Browser;
let profile: string;
const servers: ServerType[] = [];

async function serveApp(options: Partial<CreateAppOptions>): Promise<string> {
  const app = createApp({ client, logger: false, ...options });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (see .ci/run)`);
  // The page reads no data: a client that could never connect proves it.
  client = new DBOSClient({ systemDatabaseUrl: 'postgres://unused@127.0.0.1:1/none' });
  mkdirSync(SHOTS, { recursive: true });
  profile = mkdtempSync(join(tmpdir(), 'dbos-edge-docs-chromium-'));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`],
  });
});

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
  await client?.destroy();
});

/** Opens /docs, collecting requests to other origins and console errors. */
async function openDocs(base: string) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const foreign: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(base)) foreign.push(request.url());
  });
  page.on('console', (message) => {
    // The browser's own favicon request meets the closed 404/401 of unknown paths; that is not the page's error.
    const from = message.location().url ?? '';
    if (message.type() === 'error' && !from.endsWith('/favicon.ico')) errors.push(`${message.text()} ${from}`);
  });
  const response = await page.goto(`${base}/docs`, { waitUntil: 'load' });
  expect(response?.status()).toBe(200);
  return { page, foreign, errors };
}

describe('/docs in Chromium', () => {
  it('with tokens: explains bearer auth first, renders code, unfolds an example', async () => {
    const { page, foreign, errors } = await openDocs(await serveApp({ tokens: TOKENS }));
    const note = await page.$eval('.auth', (el) => ({
      text: el.textContent ?? '',
      top: el.getBoundingClientRect().top,
    }));
    expect(note.text).toContain('Authorization: Bearer <token>');
    expect(note.top).toBeLessThan(150);

    const table = await page.$eval('table', (el) => ({
      text: el.textContent ?? '',
      codes: el.querySelectorAll('td code').length,
    }));
    expect(table.text).not.toContain('`');
    expect(table.codes).toBeGreaterThan(50);

    const example = await page.$('details');
    expect(await example?.$eval('pre', (el) => el.checkVisibility())).toBe(false);
    await (await example?.$('summary'))?.click();
    expect(await example?.$eval('pre', (el) => el.checkVisibility())).toBe(true);

    await page.screenshot({ path: join(SHOTS, 'tokens.png') });
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('in open development mode: a warning banner at the top', async () => {
    const { page, foreign, errors } = await openDocs(await serveApp({ insecureDev: true }));
    const note = await page.$eval('.auth', (el) => ({
      text: el.textContent ?? '',
      top: el.getBoundingClientRect().top,
      background: getComputedStyle(el).backgroundColor,
      role: el.getAttribute('role'),
    }));
    expect(note.text).toContain('Open development mode: no token is checked.');
    expect(note.text).not.toContain('Bearer <token>');
    expect(note.top).toBeLessThan(150);
    expect(note.background).toBe('rgb(253, 226, 225)');
    expect(note.role).toBe('alert');
    await page.screenshot({ path: join(SHOTS, 'open.png') });
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});

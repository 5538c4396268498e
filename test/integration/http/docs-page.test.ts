/**
 * The docs page at /docs, served by the real app: descriptions rendered from Markdown (no literal backticks), the
 * examples of the OpenAPI document shown, and an auth note that matches the mode the server runs in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/http/index.ts';
import { DBOSClient } from '../../../src/index.ts';
import { TOKENS } from './helpers.ts';

let client: DBOSClient;
beforeAll(() => {
  // The page reads no data: a client that could never connect proves it.
  client = new DBOSClient({ systemDatabaseUrl: 'postgres://unused@127.0.0.1:1/none' });
});
afterAll(() => client.destroy());

async function page(app: ReturnType<typeof createApp>): Promise<string> {
  const res = await app.request('/docs');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  return res.text();
}

describe('/docs with API tokens', () => {
  let html: string;
  beforeAll(async () => {
    html = await page(createApp({ client, tokens: TOKENS, logger: false }));
  });

  it('renders the Markdown of descriptions: code, bold and links, never literal backticks', () => {
    expect(html).not.toContain('`');
    // getResult's description.
    expect(html).toContain('Waits up to <code>timeoutMs</code> for the workflow to finish.');
    expect(html).toContain('<a href="https://www.rfc-editor.org/rfc/rfc9457">RFC 9457</a>');
    expect(html).toContain('<strong>read</strong>');
  });

  it('shows the request and response examples of the document', () => {
    expect(html.match(/<details>/g)?.length).toBeGreaterThan(20);
    // The enqueue example, as escaped JSON under its summary.
    expect(html).toContain('<p>Request body: A TypeScript workflow with positional arguments</p>');
    expect(html).toContain('&quot;workflowName&quot;: &quot;processOrder&quot;');
    expect(html).toContain('<p>Response 202: Still running: ask again</p>');
    // A summary's Markdown is rendered and escaped.
    expect(html).toContain('<code>DBOS.recv(&quot;approval&quot;)</code>');
  });

  it('explains bearer tokens and the read and full scopes', () => {
    expect(html).toContain('<div class="auth tokens">');
    expect(html).toContain('<code>Authorization: Bearer &lt;token&gt;</code>');
    expect(html).toContain('a <strong>full</strong> token may call every route');
    expect(html).not.toContain('Open development mode');
  });

  it('serves the page whatever the Authorization header says (it holds no data)', async () => {
    const app = createApp({ client, tokens: TOKENS, logger: false });
    expect((await app.request('/docs', { headers: { authorization: 'Bearer wrong' } })).status).toBe(200);
  });
});

describe('/docs in open development mode', () => {
  it('says loudly that no token is checked, and does not ask for one', async () => {
    const html = await page(createApp({ client, insecureDev: true, logger: false }));
    expect(html).toContain(
      '<div class="auth open" role="alert"><strong>Open development mode: no token is checked.</strong>',
    );
    expect(html).toContain('<code>DBOS_EDGE_INSECURE_DEV</code>');
    expect(html).not.toContain('<div class="auth tokens">');
    expect(html).not.toContain('Bearer &lt;token&gt;');
    expect(html).not.toContain('`');
  });
});

describe('/docs escaping', () => {
  it('escapes markup in the configured title and description, and renders their Markdown', async () => {
    const html = await page(
      createApp({
        client,
        tokens: TOKENS,
        logger: false,
        info: { title: 'Shop <b>API</b>', description: 'Orders <img src=x onerror=alert(1)> over `HTTP`' },
      }),
    );
    expect(html).toContain('<title>Shop &lt;b&gt;API&lt;/b&gt; API</title>');
    expect(html).toContain('Orders &lt;img src=x onerror=alert(1)&gt; over <code>HTTP</code>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
  });
});

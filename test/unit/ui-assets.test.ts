/** The console's embedded assets (src/http/ui-assets.ts) are those of ui/: run `npm run build:ui` after editing ui/. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { uiApp } from '../../src/http/ui.ts';
import { ASSETS_MODULE, assetsModule, STATUSES_MODULE, statusesModule } from '../../ui/build.ts';

describe('ui assets', () => {
  it('are up to date with ui/ and src/status.ts (npm run build:ui)', () => {
    expect(readFileSync(STATUSES_MODULE, 'utf8')).toBe(statusesModule());
    expect(readFileSync(ASSETS_MODULE, 'utf8')).toBe(assetsModule());
  });

  it('are served by type, with the security headers; /ui redirects and other paths are 404', async () => {
    const ui = uiApp();
    const page = await ui.fetch(new Request('http://x/ui/'));
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toBe(readFileSync(new URL('../../ui/index.html', import.meta.url), 'utf8'));
    expect((await ui.fetch(new Request('http://x/ui/app.js'))).headers.get('content-type')).toMatch(
      /^text\/javascript/,
    );
    expect((await ui.fetch(new Request('http://x/ui'))).headers.get('location')).toBe('/ui/');
    expect((await ui.fetch(new Request('http://x/ui/build.ts'))).status).toBe(404);
    expect((await ui.fetch(new Request('http://x/ui/toString'))).status).toBe(404);
    expect((await ui.fetch(new Request('http://x/ui/', { method: 'POST' }))).status).toBe(404);
  });
});

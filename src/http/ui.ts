/**
 * The web console at /ui: its page, style sheet and script, embedded at build time (`ui-assets.ts`, made by
 * `npm run build:ui` from ui/), served with a strict Content-Security-Policy: everything from this origin, nothing
 * inline, no frames. The page holds no data; it calls /v1 with the token the user enters. A separate handler that
 * an entry passes to `createApp({ ui })`, so an API-only Worker does not carry the assets.
 */
import { UI_ASSETS } from './ui-assets.ts';

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** Answers GET /ui/ (the page) and GET /ui/<file>, redirects /ui to /ui/; anything else under /ui is a 404. */
export function uiApp(): { fetch(request: Request): Response } {
  return {
    fetch(request) {
      const path = new URL(request.url).pathname;
      // The page's relative asset URLs need the trailing slash.
      if (path === '/ui') return new Response(null, { status: 308, headers: { location: '/ui/' } });
      const name = path.replace(/^\/ui\//, '') || 'index.html';
      const asset = Object.hasOwn(UI_ASSETS, name) ? UI_ASSETS[name] : undefined;
      if (!asset || (request.method !== 'GET' && request.method !== 'HEAD')) {
        return new Response('Not Found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
      }
      const headers = { 'content-type': asset.type, ...SECURITY_HEADERS };
      return new Response(request.method === 'HEAD' ? null : asset.body, { headers });
    },
  };
}

/**
 * Webhook signature checks with WebCrypto (no Node built-ins), each constant-time through `crypto.subtle.verify`.
 *
 * - Standard Webhooks (https://www.standardwebhooks.com): headers `webhook-id`, `webhook-timestamp` (Unix
 *   seconds) and `webhook-signature` (space-separated `v1,<base64>`), the HMAC-SHA256 of `{id}.{timestamp}.{body}`
 *   under the secret `whsec_<base64 key>`. A timestamp further than the tolerance (default 5 minutes) from now is
 *   refused, so a captured delivery cannot be replayed later.
 * - GitHub: `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the body under the secret's UTF-8 bytes;
 *   `X-GitHub-Delivery` is the delivery ID. GitHub signs no timestamp and not the delivery header, so the effect is
 *   keyed by what it signs (see `webhooks.ts`): a replay of a captured body under a new delivery header does nothing.
 */
import { ValidationError } from '../errors.ts';

export type Verified = { ok: true; deliveryID: string } | { ok: false; reason: string };

const encoder = new TextEncoder();

export function base64Decode(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  try {
    const bin = atob(text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

export function base64Encode(bytes: Uint8Array): string {
  // In chunks: one character at a time is slow for the megabytes a pickle can hold; the chunk bounds the arguments.
  let bin = '';
  for (let at = 0; at < bytes.length; at += 0x8000) bin += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(bin);
}

function hexDecode(text: string): Uint8Array | undefined {
  if (!/^(?:[0-9a-f]{2})+$/i.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The key bytes of a Standard Webhooks secret (`whsec_<base64>`), or undefined if it is malformed. */
export function standardSecretKey(secret: string): Uint8Array | undefined {
  if (!secret.startsWith('whsec_')) return undefined;
  const key = base64Decode(secret.slice('whsec_'.length));
  return key && key.length > 0 ? key : undefined;
}

function hmacKey(key: Uint8Array, usages: KeyUsage[]): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', key as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, usages);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

type Headers = (name: string) => string | undefined;

const DELIVERY_ID = /^[\x21-\x7e]{1,200}$/;

export async function verifyStandardWebhook(
  secret: string,
  header: Headers,
  body: Uint8Array,
  nowMs: number,
  toleranceSeconds: number,
): Promise<Verified> {
  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signatures = header('webhook-signature');
  if (!id || !timestamp || !signatures) return { ok: false, reason: 'missing webhook-id, -timestamp or -signature' };
  if (!DELIVERY_ID.test(id)) return { ok: false, reason: 'malformed webhook-id' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed webhook-timestamp' };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds) {
    return { ok: false, reason: 'webhook-timestamp outside the tolerance' };
  }
  const keyBytes = standardSecretKey(secret);
  if (!keyBytes) return { ok: false, reason: 'secret misconfigured' };
  const key = await hmacKey(keyBytes, ['verify']);
  const signed = concat(encoder.encode(`${id}.${timestamp}.`), body);
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || value === undefined) continue;
    const sig = base64Decode(value);
    if (
      sig &&
      sig.length === 32 &&
      (await crypto.subtle.verify('HMAC', key, sig as BufferSource, signed as BufferSource))
    ) {
      return { ok: true, deliveryID: id };
    }
  }
  return { ok: false, reason: 'no valid signature' };
}

export async function verifyGithubWebhook(secret: string, header: Headers, body: Uint8Array): Promise<Verified> {
  const signature = header('x-hub-signature-256');
  const delivery = header('x-github-delivery');
  if (!signature || !delivery) return { ok: false, reason: 'missing X-Hub-Signature-256 or X-GitHub-Delivery' };
  if (!DELIVERY_ID.test(delivery)) return { ok: false, reason: 'malformed X-GitHub-Delivery' };
  const sig = signature.startsWith('sha256=') ? hexDecode(signature.slice('sha256='.length)) : undefined;
  if (sig?.length !== 32) return { ok: false, reason: 'malformed X-Hub-Signature-256' };
  const key = await hmacKey(encoder.encode(secret), ['verify']);
  const ok = await crypto.subtle.verify('HMAC', key, sig as BufferSource, body as BufferSource);
  return ok ? { ok: true, deliveryID: delivery } : { ok: false, reason: 'no valid signature' };
}

/**
 * The secret of a send webhook whose destination comes from the path (`/v1/webhooks/{name}/{workflowID}`): derived
 * from the webhook's secret and the workflow ID, so a delivery signed for one workflow fails the signature check at
 * any other workflow's path. Give the sender this secret for that workflow's URL: `whsec_<base64>` for Standard
 * Webhooks, hex for GitHub.
 */
export async function destinationWebhookSecret(
  verify: 'standard-webhooks' | 'github',
  secret: string,
  workflowID: string,
): Promise<string> {
  const base = verify === 'github' ? encoder.encode(secret) : standardSecretKey(secret);
  if (!base) throw new ValidationError([{ field: 'secret', rule: 'whsec', message: 'must be whsec_<base64>' }]);
  const key = await hmacKey(base, ['sign']);
  const derived = new Uint8Array(
    await crypto.subtle.sign('HMAC', key, encoder.encode(`dbos-edge webhook destination\0${workflowID}`)),
  );
  if (verify === 'standard-webhooks') return `whsec_${base64Encode(derived)}`;
  return [...derived].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Signs like a Standard Webhooks sender (for tests, benches and callers of this service). */
export async function signStandardWebhook(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const keyBytes = standardSecretKey(secret);
  if (!keyBytes) throw new ValidationError([{ field: 'secret', rule: 'whsec', message: 'must be whsec_<base64>' }]);
  const key = await hmacKey(keyBytes, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(`${id}.${timestamp}.${body}`) as BufferSource);
  return `v1,${base64Encode(new Uint8Array(mac))}`;
}

/** Signs like GitHub (`sha256=<hex>`). */
export async function signGithubWebhook(secret: string, body: string): Promise<string> {
  const key = await hmacKey(encoder.encode(secret), ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(body) as BufferSource));
  return `sha256=${[...mac].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

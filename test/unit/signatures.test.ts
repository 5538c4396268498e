/**
 * Webhook signatures on WebCrypto: Standard Webhooks (id, timestamp, v1 HMAC under a whsec_ key) and GitHub
 * (sha256 HMAC of the body). Deliveries are signed here with crypto.subtle directly, not with the module's own
 * signers, and the signers are checked against the published examples of each scheme. (That a refused delivery
 * writes nothing, and a replayed one runs once, is checked through the service in
 * test/integration/http/security.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import {
  base64Decode,
  base64Encode,
  signGithubWebhook,
  signStandardWebhook,
  standardSecretKey,
  verifyGithubWebhook,
  verifyStandardWebhook,
} from '../../src/http/signatures.ts';

const encoder = new TextEncoder();

async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey(
    'raw',
    key as BufferSource,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, data as BufferSource));
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const toHex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

/** Another character in front: the signature decodes to other bytes of the same length. */
function flipFirstChar(text: string): string {
  return `${text[0] === 'A' ? 'B' : 'A'}${text.slice(1)}`;
}

/** A request's headers, looked up case-insensitively as the service does. */
const headers =
  (init: Record<string, string>) =>
  (name: string): string | undefined =>
    new Headers(init).get(name) ?? undefined;

// ------------------------------------------------------------------ Standard Webhooks

const KEY = encoder.encode('a 32-byte key for these tests!!!');
const SECRET = `whsec_${toBase64(KEY)}`;
const NOW_S = 1_767_225_600;
const NOW_MS = NOW_S * 1000;
const TOLERANCE = 300;

/** The `v1,<base64>` signature of a delivery, computed with WebCrypto from the key bytes. */
async function v1(id: string, timestamp: number | string, body: Uint8Array, key = KEY): Promise<string> {
  const signed = new Uint8Array([...encoder.encode(`${id}.${timestamp}.`), ...body]);
  return `v1,${toBase64(await hmacSha256(key, signed))}`;
}

interface Delivery {
  id: string;
  timestamp: string;
  signature: string;
  body: Uint8Array;
}

async function delivery(id = 'msg_2mWQ9pTq', timestamp = NOW_S, text = '{"order":1}'): Promise<Delivery> {
  const body = encoder.encode(text);
  return { id, timestamp: String(timestamp), signature: await v1(id, timestamp, body), body };
}

function verifyStandard(d: Delivery, nowMs = NOW_MS, secret = SECRET, tolerance = TOLERANCE) {
  const header = headers({ 'webhook-id': d.id, 'webhook-timestamp': d.timestamp, 'webhook-signature': d.signature });
  return verifyStandardWebhook(secret, header, d.body, nowMs, tolerance);
}

describe('Standard Webhooks: valid deliveries', () => {
  it('accepts a delivery signed with the key, returning its ID', async () => {
    expect(await verifyStandard(await delivery())).toEqual({ ok: true, deliveryID: 'msg_2mWQ9pTq' });
  });

  it('reads the headers whatever their letter case', async () => {
    const d = await delivery();
    const header = headers({ 'Webhook-Id': d.id, 'WEBHOOK-TIMESTAMP': d.timestamp, 'Webhook-Signature': d.signature });
    expect(await verifyStandardWebhook(SECRET, header, d.body, NOW_MS, TOLERANCE)).toEqual({
      ok: true,
      deliveryID: d.id,
    });
  });

  it('accepts any one valid v1 signature among several (key rotation), skipping other versions', async () => {
    const d = await delivery();
    const oldKey = await v1(d.id, d.timestamp, d.body, encoder.encode('the previous key, now rotated out'));
    const signature = `v2,${d.signature.slice(3)} v1 ${oldKey} v1,not-base64 ${d.signature}`;
    expect(await verifyStandard({ ...d, signature })).toEqual({ ok: true, deliveryID: d.id });
  });

  it('signs over the raw body bytes, not a decoding of them', async () => {
    const body = new Uint8Array([0xff, 0x00, 0xfe, 0x0a, 0xc3]);
    const signature = await v1('msg_bin', NOW_S, body);
    expect(await verifyStandard({ id: 'msg_bin', timestamp: String(NOW_S), signature, body })).toEqual({
      ok: true,
      deliveryID: 'msg_bin',
    });
  });

  it('accepts an empty body', async () => {
    expect(await verifyStandard(await delivery('msg_empty', NOW_S, ''))).toEqual({ ok: true, deliveryID: 'msg_empty' });
  });

  it('accepts a timestamp exactly the tolerance away, either side', async () => {
    const d = await delivery();
    expect(await verifyStandard(d, NOW_MS + TOLERANCE * 1000)).toEqual({ ok: true, deliveryID: d.id });
    expect(await verifyStandard(d, NOW_MS - TOLERANCE * 1000)).toEqual({ ok: true, deliveryID: d.id });
  });

  it('verifies a replay within the tolerance again, with the same delivery ID (the effect’s idempotency key)', async () => {
    const d = await delivery();
    const first = await verifyStandard(d, NOW_MS);
    const replay = await verifyStandard(d, NOW_MS + 60_000);
    expect(replay).toEqual(first);
    expect(replay).toEqual({ ok: true, deliveryID: d.id });
  });
});

describe('Standard Webhooks: refusals', () => {
  const refused = (reason: string) => ({ ok: false, reason });

  it('refuses a delivery replayed after the tolerance, and one stamped too far ahead', async () => {
    const d = await delivery();
    const expired = refused('webhook-timestamp outside the tolerance');
    expect(await verifyStandard(d, NOW_MS + TOLERANCE * 1000 + 1)).toEqual(expired);
    expect(await verifyStandard(d, NOW_MS + 24 * 3600 * 1000)).toEqual(expired);
    expect(await verifyStandard(d, NOW_MS - TOLERANCE * 1000 - 1)).toEqual(expired);
  });

  it('applies the tolerance it is given', async () => {
    const d = await delivery();
    expect(await verifyStandard(d, NOW_MS + 61_000, SECRET, 60)).toEqual(
      refused('webhook-timestamp outside the tolerance'),
    );
    expect(await verifyStandard(d, NOW_MS + 59_000, SECRET, 60)).toEqual({ ok: true, deliveryID: d.id });
  });

  it.each([
    ['the body', (d: Delivery) => ({ ...d, body: encoder.encode('{"order":2}') })],
    ['the delivery ID', (d: Delivery) => ({ ...d, id: 'msg_other' })],
    ['the timestamp', (d: Delivery) => ({ ...d, timestamp: String(NOW_S + 1) })],
    ['a byte of the signature', (d: Delivery) => ({ ...d, signature: `v1,${flipFirstChar(d.signature.slice(3))}` })],
  ])('refuses a delivery whose %s was changed', async (_label, tamper) => {
    expect(await verifyStandard(tamper(await delivery()))).toEqual(refused('no valid signature'));
  });

  it('refuses a delivery signed with another key', async () => {
    const d = await delivery();
    const otherSecret = `whsec_${toBase64(encoder.encode('another key'))}`;
    expect(await verifyStandard(d, NOW_MS, otherSecret)).toEqual(refused('no valid signature'));
  });

  it.each([
    ['a signature with no version', (s: string) => s.slice(3)],
    ['only a v2 signature', (s: string) => `v2,${s.slice(3)}`],
    [
      'a truncated signature',
      (s: string) => `v1,${toBase64(base64Decode(s.slice(3))?.slice(0, 31) ?? new Uint8Array())}`,
    ],
    ['a signature in base64url', (s: string) => s.replace(/\+/g, '-').replace(/\//g, '_')],
    ['an empty v1 signature', () => 'v1,'],
  ])('refuses %s', async (_label, mangle) => {
    const d = await delivery();
    const signature = mangle(d.signature);
    // The delivery's signature has both + and /, so even its base64url form differs.
    expect(signature).not.toBe(d.signature);
    expect(await verifyStandard({ ...d, signature })).toEqual(refused('no valid signature'));
  });

  it.each([
    ['webhook-id', 'webhook-id'],
    ['webhook-timestamp', 'webhook-timestamp'],
    ['webhook-signature', 'webhook-signature'],
  ])('refuses a delivery without %s', async (_label, missing) => {
    const d = await delivery();
    const all: Record<string, string> = {
      'webhook-id': d.id,
      'webhook-timestamp': d.timestamp,
      'webhook-signature': d.signature,
    };
    delete all[missing];
    expect(await verifyStandardWebhook(SECRET, headers(all), d.body, NOW_MS, TOLERANCE)).toEqual(
      refused('missing webhook-id, -timestamp or -signature'),
    );
  });

  it.each([
    ['a space', 'msg 1'],
    ['a non-ASCII character', 'msg_é'],
    ['201 characters', 'm'.repeat(201)],
  ])('refuses a webhook-id with %s', async (_label, id) => {
    expect(await verifyStandard(await delivery(id))).toEqual(refused('malformed webhook-id'));
  });

  it('accepts a webhook-id of 200 printable characters', async () => {
    const id = `${'m'.repeat(199)}~`;
    expect(await verifyStandard(await delivery(id))).toEqual({ ok: true, deliveryID: id });
  });

  it.each([
    ['milliseconds', String(NOW_MS * 1000)],
    ['a fraction', `${NOW_S}.5`],
    ['a sign', `+${NOW_S}`],
    ['a date', '2026-01-01T00:00:00Z'],
  ])('refuses a webhook-timestamp in %s', async (_label, timestamp) => {
    const d = await delivery();
    const signature = await v1(d.id, timestamp, d.body);
    expect(await verifyStandard({ ...d, timestamp, signature })).toEqual(refused('malformed webhook-timestamp'));
  });

  it('refuses every delivery when the secret is not whsec_<base64>', async () => {
    const d = await delivery();
    expect(await verifyStandard(d, NOW_MS, 'plain secret')).toEqual(refused('secret misconfigured'));
  });
});

describe('signStandardWebhook', () => {
  it('matches the Standard Webhooks example', async () => {
    expect(
      await signStandardWebhook(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs what the verifier accepts', async () => {
    const body = '{"order":"ü"}';
    const signature = await signStandardWebhook(SECRET, 'msg_own', NOW_S, body);
    expect(signature).toBe(await v1('msg_own', NOW_S, encoder.encode(body)));
  });

  it('refuses a secret that is not whsec_<base64>', async () => {
    await expect(signStandardWebhook('plain', 'msg', NOW_S, '{}')).rejects.toMatchObject({
      name: 'ValidationError',
      issues: [{ field: 'secret', rule: 'whsec', message: 'must be whsec_<base64>' }],
    });
  });
});

describe('standardSecretKey', () => {
  it('decodes the key after whsec_', () => {
    expect(standardSecretKey(SECRET)).toEqual(KEY);
    expect(standardSecretKey('whsec_c2VjcmV0')).toEqual(encoder.encode('secret'));
  });

  it.each([
    ['no prefix', toBase64(KEY)],
    ['a prefix in capitals', `WHSEC_${toBase64(KEY)}`],
    ['an empty key', 'whsec_'],
    ['a key that is not base64', 'whsec_not base64!'],
    ['unpadded base64', 'whsec_c2VjcmV0MQ'],
    ['base64url', 'whsec_-_-_'],
  ])('is undefined for %s', (_label, secret) => {
    expect(standardSecretKey(secret)).toBeUndefined();
  });
});

describe('base64', () => {
  it('round-trips every byte value', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = base64Encode(bytes);
    expect(text).toBe(toBase64(bytes));
    expect(base64Decode(text)).toEqual(bytes);
  });

  it('decodes padded base64 and the empty string', () => {
    expect(base64Decode('YQ==')).toEqual(encoder.encode('a'));
    expect(base64Decode('YWI=')).toEqual(encoder.encode('ab'));
    expect(base64Decode('')).toEqual(new Uint8Array());
  });

  it.each(['YQ', 'Y===', 'YQ=a', 'Y Q==', '-_8='])('refuses %j', (text) => {
    expect(base64Decode(text)).toBeUndefined();
  });
});

// ------------------------------------------------------------------ GitHub

const GITHUB_SECRET = 'It’s a GitHub secret';

async function githubSignature(body: Uint8Array, secret = GITHUB_SECRET): Promise<string> {
  return `sha256=${toHex(await hmacSha256(encoder.encode(secret), body))}`;
}

async function verifyGithub(body: Uint8Array, signature: string | undefined, delivery: string | undefined) {
  const init: Record<string, string> = {};
  if (signature !== undefined) init['x-hub-signature-256'] = signature;
  if (delivery !== undefined) init['x-github-delivery'] = delivery;
  return verifyGithubWebhook(GITHUB_SECRET, headers(init), body);
}

describe('GitHub', () => {
  const body = encoder.encode('{"action":"opened","number":7}');
  const deliveryID = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
  const refused = (reason: string) => ({ ok: false, reason });

  it('accepts a body signed with the secret, returning the delivery ID', async () => {
    expect(await verifyGithub(body, await githubSignature(body), deliveryID)).toEqual({ ok: true, deliveryID });
  });

  it('accepts the hex digest in capitals', async () => {
    const signature = (await githubSignature(body)).replace(/[0-9a-f]{64}$/, (hex) => hex.toUpperCase());
    expect(await verifyGithub(body, signature, deliveryID)).toEqual({ ok: true, deliveryID });
  });

  it('reads the headers whatever their letter case', async () => {
    const header = headers({ 'X-Hub-Signature-256': await githubSignature(body), 'X-GitHub-Delivery': deliveryID });
    expect(await verifyGithubWebhook(GITHUB_SECRET, header, body)).toEqual({ ok: true, deliveryID });
  });

  it('verifies a redelivery again with the same delivery ID (GitHub signs no timestamp)', async () => {
    const signature = await githubSignature(body);
    expect(await verifyGithub(body, signature, deliveryID)).toEqual(await verifyGithub(body, signature, deliveryID));
  });

  it('refuses a changed body, another secret, and a changed digest', async () => {
    const signature = await githubSignature(body);
    const noSignature = refused('no valid signature');
    expect(await verifyGithub(encoder.encode('{"action":"closed","number":7}'), signature, deliveryID)).toEqual(
      noSignature,
    );
    expect(await verifyGithub(body, await githubSignature(body, 'another secret'), deliveryID)).toEqual(noSignature);
    const flipped = signature.replace(/.$/, (last) => (last === '0' ? '1' : '0'));
    expect(await verifyGithub(body, flipped, deliveryID)).toEqual(noSignature);
  });

  it.each([
    ['the signature', undefined, deliveryID],
    ['the delivery ID', 'sha256=00', undefined],
  ])('refuses a delivery without %s', async (_label, signature, delivery) => {
    expect(await verifyGithub(body, signature, delivery)).toEqual(
      refused('missing X-Hub-Signature-256 or X-GitHub-Delivery'),
    );
  });

  it.each([
    ['with a space', 'gh 1'],
    ['of 201 characters', 'd'.repeat(201)],
  ])('refuses a delivery ID %s', async (_label, delivery) => {
    expect(await verifyGithub(body, await githubSignature(body), delivery)).toEqual(
      refused('malformed X-GitHub-Delivery'),
    );
  });

  it.each([
    ['a SHA-1 signature', async () => `sha1=${'a'.repeat(40)}`],
    ['no algorithm prefix', async () => (await githubSignature(body)).slice('sha256='.length)],
    ['a digest one byte short', async () => (await githubSignature(body)).slice(0, -2)],
    ['a digest one byte long', async () => `${await githubSignature(body)}00`],
    ['a digest that is not hex', async () => `sha256=${'zz'.repeat(32)}`],
    ['an odd number of hex digits', async () => (await githubSignature(body)).slice(0, -1)],
    ['the digest in base64', async () => `sha256=${toBase64(await hmacSha256(encoder.encode(GITHUB_SECRET), body))}`],
  ])('refuses %s as malformed', async (_label, signature) => {
    expect(await verifyGithub(body, await signature(), deliveryID)).toEqual(refused('malformed X-Hub-Signature-256'));
  });
});

describe('signGithubWebhook', () => {
  it('matches GitHub’s documented example', async () => {
    expect(await signGithubWebhook("It's a Secret to Everybody", 'Hello, World!')).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it('signs what the verifier accepts', async () => {
    const text = '{"ref":"refs/heads/main","pusher":"ü"}';
    expect(await signGithubWebhook(GITHUB_SECRET, text)).toBe(await githubSignature(encoder.encode(text)));
  });
});

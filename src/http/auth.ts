/**
 * Bearer-token auth for the management routes. Tokens come from configuration with a scope each: `read` may call
 * the routes that change nothing (GET, long polls, streams), `full` may call every route. A presented token is
 * compared with every configured one in constant time: both sides are hashed with SHA-256 (WebCrypto), and the
 * digests compared without an early exit, so neither a token's content nor its length leaks through timing.
 */

export type Scope = 'read' | 'full';

export interface ApiToken {
  readonly token: string;
  readonly scope: Scope;
}

const encoder = new TextEncoder();

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/** Equal-length byte arrays compared without an early exit. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Checks presented tokens against the configured ones; built once per app. */
export class TokenVerifier {
  readonly #tokens: Promise<{ hash: Uint8Array; scope: Scope }[]>;

  constructor(tokens: readonly ApiToken[]) {
    this.#tokens = Promise.all(tokens.map(async (t) => ({ hash: await digest(t.token), scope: t.scope })));
  }

  /** The scope of the presented token (the widest, if it is configured twice), or undefined. */
  async scopeOf(presented: string): Promise<Scope | undefined> {
    const hash = await digest(presented);
    let scope: Scope | undefined;
    for (const t of await this.#tokens) {
      // Every configured token is compared, whatever matched before.
      if (timingSafeEqual(hash, t.hash) && scope !== 'full') scope = t.scope;
    }
    return scope;
  }
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header ?? '');
  return m?.[1];
}

/** Whether a token of `granted` scope may call a route that needs `needed`. */
export function allows(granted: Scope, needed: Scope): boolean {
  return granted === 'full' || needed === 'read';
}

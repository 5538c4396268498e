/**
 * Bearer-token auth for the management routes. Tokens come from configuration with a scope each: `read` may call
 * the routes that change nothing (GET, long polls, streams), `full` may call every route. A presented token is
 * compared with every configured one in constant time: every character of the presented token is compared, without
 * an early exit and whatever the configured token's length, so the time depends on the presented token alone and
 * neither a configured token's content nor its length leaks through it. (Synchronous: a WebCrypto digest per
 * request was a tenth of the service's CPU time and a thread-pool hop of latency.)
 */

export type Scope = 'read' | 'full';

export interface ApiToken {
  readonly token: string;
  readonly scope: Scope;
}

/** Whether `presented` equals `expected`, in a time that depends only on `presented`'s length. */
export function constantTimeEquals(presented: string, expected: string): boolean {
  let diff = presented.length ^ expected.length;
  for (let i = 0; i < presented.length; i++) {
    diff |= presented.charCodeAt(i) ^ expected.charCodeAt(expected.length === 0 ? 0 : i % expected.length);
  }
  return diff === 0;
}

/** Checks presented tokens against the configured ones; built once per app. */
export class TokenVerifier {
  readonly #tokens: readonly ApiToken[];

  constructor(tokens: readonly ApiToken[]) {
    this.#tokens = tokens.map((t) => ({ token: t.token, scope: t.scope }));
  }

  /** The scope of the presented token (the widest, if it is configured twice), or undefined. */
  async scopeOf(presented: string): Promise<Scope | undefined> {
    let scope: Scope | undefined;
    for (const t of this.#tokens) {
      // Every configured token is compared, whatever matched before.
      if (constantTimeEquals(presented, t.token) && scope !== 'full') scope = t.scope;
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

/** Token checks without WebCrypto: equality in constant time, and the scope of a presented token. */
import { describe, expect, it } from 'vitest';
import { constantTimeEquals, TokenVerifier } from '../../src/http/auth.ts';

describe('constantTimeEquals', () => {
  it('is true only for the same text', () => {
    expect(constantTimeEquals('secret-token', 'secret-token')).toBe(true);
    expect(constantTimeEquals('secret-tokeN', 'secret-token')).toBe(false);
    expect(constantTimeEquals('Xecret-token', 'secret-token')).toBe(false);
  });

  it('refuses a prefix, an extension and a repetition of the token', () => {
    expect(constantTimeEquals('secret', 'secret-token')).toBe(false);
    expect(constantTimeEquals('secret-token-and-more', 'secret-token')).toBe(false);
    expect(constantTimeEquals('abcabc', 'abc')).toBe(false);
    expect(constantTimeEquals('', 'abc')).toBe(false);
    expect(constantTimeEquals('abc', '')).toBe(false);
  });

  it('compares characters beyond ASCII', () => {
    expect(constantTimeEquals('tök€n😀', 'tök€n😀')).toBe(true);
    expect(constantTimeEquals('tök€n😀', 'tok€n😀')).toBe(false);
  });
});

describe('TokenVerifier', () => {
  const verifier = new TokenVerifier([
    { token: 'read-token-0000000001', scope: 'read' },
    { token: 'full-token-0000000001', scope: 'full' },
    { token: 'both-token-0000000001', scope: 'read' },
    { token: 'both-token-0000000001', scope: 'full' },
  ]);

  it('gives each token its scope, the widest when configured twice, and none to an unknown one', async () => {
    expect(await verifier.scopeOf('read-token-0000000001')).toBe('read');
    expect(await verifier.scopeOf('full-token-0000000001')).toBe('full');
    expect(await verifier.scopeOf('both-token-0000000001')).toBe('full');
    expect(await verifier.scopeOf('full-token-000000000')).toBeUndefined();
    expect(await verifier.scopeOf('')).toBeUndefined();
  });
});

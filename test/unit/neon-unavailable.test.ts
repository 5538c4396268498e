/**
 * The stand-in for Neon's driver in a Postgres-only Worker (wrangler.toml's default alias): the Neon adapters build
 * against it, and using one fails at once with a configuration error that says what to do instead.
 */
import { describe, expect, it } from 'vitest';
import { Client, neon, Pool } from '../../worker/neon-unavailable.ts';

describe('worker/neon-unavailable.ts', () => {
  it('refuses every Neon entry point with a configuration error naming the alternatives and the opt-in', () => {
    for (const use of [() => neon(), () => new Pool(), () => new Client()]) {
      expect(use).toThrow(
        expect.objectContaining({
          name: 'DBOSEdgeError',
          code: 'CONFIG',
          message: expect.stringMatching(
            /postgres:\/\/ URL or Hyperdrive.*"@neondatabase\/serverless" line under \[alias\] in wrangler\.toml/,
          ),
        }),
      );
    }
  });
});

/**
 * The stand-in for Neon's driver in a Postgres-only Worker (wrangler.toml's opt-in alias): the Neon adapters build
 * against it, and using one fails at once with a DriverError that says what to do instead.
 */
import { describe, expect, it } from 'vitest';
import { Client, neon, Pool } from '../../worker/neon-unavailable.ts';

describe('worker/neon-unavailable.ts', () => {
  it('refuses every Neon entry point with a DriverError naming the alternatives', () => {
    for (const use of [() => neon(), () => new Pool(), () => new Client()]) {
      expect(use).toThrow(
        expect.objectContaining({
          name: 'DriverError',
          message: expect.stringContaining('postgres:// URL or Hyperdrive'),
        }),
      );
    }
  });
});

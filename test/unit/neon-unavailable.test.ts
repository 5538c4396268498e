/**
 * The stand-in for the Neon adapters in a Postgres-only Worker (wrangler.toml's default aliases): opening either
 * fails at once with a configuration error that says what to do instead.
 */
import { describe, expect, it } from 'vitest';
import { neonHttpDriver, neonWsDriver } from '../../worker/neon-unavailable.ts';

describe('worker/neon-unavailable.ts', () => {
  it('refuses both Neon adapters with a configuration error naming the alternatives and the opt-in', () => {
    for (const open of [neonHttpDriver, neonWsDriver]) {
      expect(open).toThrow(
        expect.objectContaining({
          name: 'DBOSEdgeError',
          code: 'CONFIG',
          message: expect.stringMatching(
            /postgres:\/\/ URL or Hyperdrive.*"\.\.\/adapters\/neon-\*\.ts" lines under \[alias\] in wrangler\.toml/,
          ),
        }),
      );
    }
  });
});

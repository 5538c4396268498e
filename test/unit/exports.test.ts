/** The package's entry points: every one resolves by its package name, and npm and JSR offer the same ones. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (file: string) => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'));

describe('package entry points', () => {
  const npmExports: Record<string, string> = read('package.json').exports;

  it('are the same in package.json and deno.json', () => {
    expect(npmExports).toEqual(read('deno.json').exports);
  });

  it('offer the HTTP service as dbos-edge/http', async () => {
    const http = await import('dbos-edge/http');
    expect(typeof http.createApp).toBe('function');
    expect(typeof http.configFromEnv).toBe('function');
  });

  it.each(Object.keys(npmExports))('resolve %s by the package name', async (entry) => {
    const module = await import(`dbos-edge${entry.slice(1)}`);
    expect(Object.keys(module).length).toBeGreaterThan(0);
  });
});

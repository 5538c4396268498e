/** The package's entry points: every one resolves by its package name, and npm and JSR offer the same ones. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (file: string) => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'));

describe('package entry points', () => {
  const { './package.json': _, ...npmExports }: Record<string, Record<string, string>> = read('package.json').exports;

  it('are the same in package.json (its TypeScript sources) and deno.json', () => {
    const sources = Object.fromEntries(Object.entries(npmExports).map(([k, v]) => [k, v['dbos-edge-source']]));
    expect(sources).toEqual(read('deno.json').exports);
  });

  it.each(Object.entries(npmExports))('map %s to its build in dist/, with types', (_entry, conditions) => {
    const built = (conditions['dbos-edge-source'] as string).replace(/^\.\//, './dist/').replace(/\.ts$/, '');
    expect(conditions).toEqual({
      'dbos-edge-source': conditions['dbos-edge-source'],
      types: `${built}.d.ts`,
      import: `${built}.js`,
      require: `${built}.js`,
    });
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

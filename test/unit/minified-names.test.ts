/**
 * Error names survive a bundler that minifies without keeping names (wrangler.toml's `keep_names = false`, and most
 * app bundlers): callers branch on `e.name`, so it must be the exported class name, never a mangled identifier.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

it('every exported error class keeps its name when bundled minified with keepNames off', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dbos-edge-minified-'));
  try {
    const outfile = join(dir, 'index.mjs');
    await build({
      entryPoints: [join(ROOT, 'src/index.ts')],
      bundle: true,
      minify: true,
      keepNames: false,
      format: 'esm',
      platform: 'neutral',
      packages: 'external',
      outfile,
      logLevel: 'silent',
    });
    const minified = (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
    const base = minified.DBOSEdgeError as ErrorConstructor;
    const errorClasses = Object.entries(minified).filter(
      ([, value]) => typeof value === 'function' && (value === base || value.prototype instanceof base),
    );
    // All of src/errors.ts's exported classes, so the check cannot pass on an empty list.
    expect(errorClasses.length).toBeGreaterThanOrEqual(20);
    // Class fields are set by the constructor: build each one, with placeholder arguments.
    const names = errorClasses.map(
      ([exported, cls]) => (Reflect.construct(cls as ErrorConstructor, constructorArguments(exported)) as Error).name,
    );
    expect(names).toEqual(errorClasses.map(([exported]) => exported));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** Arguments each error's constructor accepts (the rest take strings). */
function constructorArguments(name: string): unknown[] {
  if (name === 'DBOSEdgeError') return ['VALIDATION', 'message'];
  if (name === 'ValidationError') return [[{ field: 'f', rule: 'r', message: 'm' }]];
  if (name === 'DriverError') return ['message', {}];
  if (name === 'DBOSWorkflowError') return ['id', { name: 'DBOSWorkflowError', message: 'm' }];
  if (name === 'DBOSWaitTimeoutError') return [['id'], 1];
  return ['a', 'b', 'c', 'd'];
}

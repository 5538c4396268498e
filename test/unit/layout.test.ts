/**
 * The layering the code relies on, checked on the sources themselves: adapters know only the driver interface and
 * the errors, entries open databases through src/connect.ts, the core runs without Node built-ins, and nothing in
 * the core or the adapters throws an untyped Error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file));
}

/** Every module a file imports (static and dynamic), as written. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from|import\()\s*'([^']+)'/g)].map((m) => m[1] as string);
}

/** A relative import resolved against the importing file, as a path from the repository root. */
function resolved(file: string, specifier: string): string {
  return specifier.startsWith('.') ? relative(ROOT, join(ROOT, file, '..', specifier)) : specifier;
}

describe('layout', () => {
  it('adapters import only the driver interface, the errors, each other and their own packages', () => {
    for (const file of sources('adapters')) {
      const local = importsOf(file)
        .filter((specifier) => specifier.startsWith('.'))
        .map((specifier) => resolved(file, specifier));
      for (const target of local) {
        expect(
          ['src/driver.ts', 'src/errors.ts'].includes(target) || target.startsWith('adapters/'),
          `${file} → ${target}`,
        ).toBe(true);
      }
    }
  });

  it('entries and the core never import an adapter except through src/connect.ts', () => {
    for (const file of [...sources('src'), ...sources('worker')]) {
      if (file === 'src/connect.ts') continue;
      const adapters = importsOf(file).filter((specifier) => resolved(file, specifier).startsWith('adapters/'));
      expect(adapters, file).toEqual([]);
    }
  });

  it('the core imports no Node built-in', () => {
    for (const file of sources('src')) {
      expect(
        importsOf(file).filter((specifier) => specifier.startsWith('node:')),
        file,
      ).toEqual([]);
    }
  });

  it('the core and the adapters throw only typed errors', () => {
    // ui-assets.ts is the browser console's own code, embedded as strings: not the core.
    for (const file of [...sources('src'), ...sources('adapters')].filter((f) => f !== 'src/http/ui-assets.ts')) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      expect(text.match(/new (Error|TypeError|RangeError|SyntaxError)\(/g), file).toBeNull();
    }
  });
});

/**
 * The package as a user gets it: `npm pack` (which builds dist/ first, see `prepack`), then the tarball installed in
 * a fresh app with `npm ci --offline`. No registry is asked: the app's lockfile is made from this repository's, so
 * npm takes every production dependency from the cache `npm ci` filled here. Optional peers (PGlite, Neon) are not
 * installed, as in an app that uses Postgres only.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const run = promisify(execFile);

interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
}

export interface InstalledApp {
  /** The app's folder: package.json, package-lock.json, node_modules/dbos-edge. */
  readonly dir: string;
  /** The packed tarball. */
  readonly tarball: string;
  /** The files the tarball holds, without the `package/` prefix. */
  readonly files: string[];
  writeFile(name: string, text: string): Promise<string>;
  remove(): Promise<void>;
}

/** Packs this repository and installs the tarball in a new app folder (about 10 s). */
export async function installPackedPackage(): Promise<InstalledApp> {
  const base = await mkdtemp(join(tmpdir(), 'dbos-edge-package-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', base], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  // npm prints the prepack script's output before the JSON report.
  const report = JSON.parse(stdout.slice(stdout.indexOf('\n[') + 1)) as {
    filename: string;
    files: { path: string }[];
  }[];
  const packed = report[0] as (typeof report)[0];
  const tarball = join(base, packed.filename);
  const dir = join(base, 'app');
  await mkdir(dir);

  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
  const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8'));
  const spec = `file:../${packed.filename}`;
  const integrity = `sha512-${createHash('sha512')
    .update(await readFile(tarball))
    .digest('base64')}`;
  const production = Object.entries(lock.packages as Record<string, LockEntry>).filter(
    ([path, entry]) => path !== '' && !entry.dev && !entry.devOptional && !entry.optional,
  );
  const manifest = { name: 'app', private: true, type: 'module', dependencies: { 'dbos-edge': spec } };
  const appLock = {
    name: 'app',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'app', dependencies: manifest.dependencies },
      'node_modules/dbos-edge': {
        version: pkg.version,
        resolved: spec,
        integrity,
        license: pkg.license,
        dependencies: pkg.dependencies,
        peerDependencies: pkg.peerDependencies,
        peerDependenciesMeta: pkg.peerDependenciesMeta,
        bin: pkg.bin,
        engines: pkg.engines,
      },
      ...Object.fromEntries(production),
    },
  };
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  await writeFile(join(dir, 'package-lock.json'), JSON.stringify(appLock, null, 2));
  await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: dir });

  return {
    dir,
    tarball,
    files: packed.files.map((f) => f.path),
    async writeFile(name, text) {
      const path = join(dir, name);
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, text);
      return path;
    },
    remove: () => rm(base, { recursive: true, force: true }),
  };
}

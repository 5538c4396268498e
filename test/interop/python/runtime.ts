/**
 * The vendored DBOS Python 2.30 runtime (the real `dbos` package and its dependencies as plain source), unpacked
 * from ../shared/vendor into the ignored `.cache/dbos-py` on first use. `.ci/run` unpacks it too; doing it here
 * as well lets a developer run `npm test` without CI's set-up. Anything missing fails loudly, naming the fix.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHECKOUT = fileURLToPath(new URL('../../../', import.meta.url));
const TARBALL_NAME = 'dbos-py-2.30.0-runtime.tar.gz';
const TARBALL = process.env.DBOS_PY_TARBALL ?? join(CHECKOUT, '..', 'shared', 'vendor', TARBALL_NAME);
const CACHE = join(CHECKOUT, '.cache');
export const DBOS_PY_ROOT = join(CACHE, 'dbos-py');
// Written last (after unpacking and compiling), so a half-finished set-up is never taken for a complete one.
const MARKER = join(DBOS_PY_ROOT, '.unpacked-from');
export const PYTHON = process.env.DBOS_PY_PYTHON ?? '/usr/bin/python3.11';

/** The environment DBOS's env.sh would set: its packages first on PYTHONPATH, SQLAlchemy in pure Python. */
export function pythonEnvironment(): NodeJS.ProcessEnv {
  const paths = [
    'src',
    'deps/psycopg/psycopg',
    'deps/sqlalchemy/lib',
    'deps/websockets/src',
    'deps/typing_extensions/src',
    'meta',
  ].map((path) => join(DBOS_PY_ROOT, path));
  return {
    ...process.env,
    DBOS_PY_ROOT,
    DISABLE_SQLALCHEMY_CEXT: '1',
    PYTHONPATH: paths.join(':'),
    PYTHONUNBUFFERED: '1',
  };
}

/** Unpacks the runtime when it is missing; throws a message that says what to install when it cannot. */
export function ensurePythonRuntime(): void {
  if (!existsSync(PYTHON)) {
    throw new Error(
      `DBOS Python runtime: ${PYTHON} is missing. Install Debian's python3.11 and the packages ` +
        'python3-yaml python3-dateutil python3-click python3-greenlet libpq5 (.ci/run does), ' +
        'or point DBOS_PY_PYTHON at a Python 3.11.',
    );
  }
  if (existsSync(MARKER) && readFileSync(MARKER, 'utf8') === TARBALL_NAME) return;
  if (!existsSync(TARBALL)) {
    throw new Error(
      `DBOS Python runtime: ${TARBALL} is missing. The interop suite runs a real DBOS Python app from it; ` +
        'put the shared folder beside the checkout, or set DBOS_PY_TARBALL to the tarball.',
    );
  }
  const staging = join(CACHE, `dbos-py-unpacking-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  execFileSync('tar', ['xzf', TARBALL, '-C', staging]);
  rmSync(DBOS_PY_ROOT, { recursive: true, force: true });
  mkdirSync(dirname(DBOS_PY_ROOT), { recursive: true });
  renameSync(join(staging, 'dbos-py'), DBOS_PY_ROOT);
  rmSync(staging, { recursive: true, force: true });
  compileBytecode();
  writeFileSync(MARKER, TARBALL_NAME);
}

/**
 * Compiles the runtime once: where PYTHONDONTWRITEBYTECODE is set, every start would otherwise compile SQLAlchemy
 * and dbos again (1.5 s of CPU per process instead of 0.5 s).
 */
function compileBytecode(): void {
  const folders = ['src', 'deps', 'meta'].map((folder) => join(DBOS_PY_ROOT, folder));
  execFileSync(PYTHON, ['-m', 'compileall', '-q', '-j', '0', ...folders], { stdio: 'ignore' });
}

/** SQLAlchemy knows `postgresql://`, not the `postgres://` spelling the test helpers use. */
export function pythonDatabaseUrl(url: string): string {
  return url.replace(/^postgres:\/\//, 'postgresql://');
}

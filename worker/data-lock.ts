/**
 * One process per embedded PGlite data folder. Two processes on one folder both start and each keeps its own copy
 * in memory, so one's writes are silently lost; a lock file (`<dir>/.dbos-edge.lock`, holding the owner's pid) makes
 * the second refuse to start with a clear message. A lock left by a process that is gone is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DBOSEdgeError } from '../src/errors.ts';

const LOCK_FILE = '.dbos-edge.lock';

/** Whether a process with this pid is running (EPERM: it runs under another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/** Takes the folder's lock for this process; returns the function that releases it. */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let held = true;
      const release = () => {
        if (!held) return;
        held = false;
        unlinkSync(path);
      };
      process.once('exit', release);
      return release;
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && running(owner)) {
        throw new DBOSEdgeError(
          'CONFIG',
          `DBOS_EDGE_DATA_DIR ${dir} is in use by another dbos-edge process (pid ${owner}); one process per embedded database`,
        );
      }
      unlinkSync(path); // left by a process that is gone
    }
  }
  throw new DBOSEdgeError('CONFIG', `could not lock DBOS_EDGE_DATA_DIR ${dir}`);
}

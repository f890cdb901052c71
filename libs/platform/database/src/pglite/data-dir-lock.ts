import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The embedded database's folder is in use by another process. PGlite, unlike a PostgreSQL
 * server, does not keep a second process out of its files, and two at once corrupt them.
 */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: number,
  ) {
    super(
      `the embedded database in ${dataDir} is in use by process ${holder} (another Baton started on the same folder?): ` +
        `stop that one first, or give this one another folder (BATON_DATA_DIR)`,
    );
    this.name = 'DataDirInUseError';
  }
}

/** The file in the folder that names the process using it. */
export const DATA_DIR_LOCK = 'baton.lock';

/**
 * Takes the folder for this process, before the database opens it: `baton.lock` in it holds this
 * process's id. A lock left by a process that no longer runs (killed) is taken over; one held by a
 * live process (this one included: a second open) throws `DataDirInUseError`. Returns the release,
 * which also runs when the process exits.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, DATA_DIR_LOCK);
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = holderOf(path);
      if (holder !== null && isRunning(holder)) throw new DataDirInUseError(dataDir, holder);
      // Left by a process that is gone; if another takes it over at the same moment, one of the two opens fails.
      if (attempt > 0) throw new DataDirInUseError(dataDir, holder ?? 0);
      try {
        unlinkSync(path);
      } catch {
        // Gone already.
      }
      continue;
    }
    writeSync(fd, String(process.pid));
    closeSync(fd);
    const release = (): void => {
      process.removeListener('exit', release);
      if (holderOf(path) !== process.pid) return;
      try {
        unlinkSync(path);
      } catch {
        // Gone already.
      }
    };
    process.on('exit', release);
    return release;
  }
}

function holderOf(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // After a restart of the machine the id may belong to something else: only a Node process counts.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true;
  }
}

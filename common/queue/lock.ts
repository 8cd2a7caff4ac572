// One process per queue directory: two writers appending to the same segment would interleave records and
// hand out the same sequence numbers.

import { randomBytes } from 'node:crypto';
import { link, readFile, realpath, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { QueueLockedError } from './errors.ts';

export const LOCK_FILE = 'queue.lock';

/** Directories (realpath) locked by this process; a pid check cannot tell two instances in one process apart. */
const heldHere = new Set<string>();

export interface DirectoryLock {
  readonly file: string;
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Takes `<dir>/queue.lock`, which holds the owner's pid. A lock whose pid is dead is stale and is taken over.
 * A lock holding our own pid that this process does not hold is also stale: in a container the collector is
 * often pid 1 on every restart, so the previous incarnation's lock carries the same pid as us.
 */
export async function acquireLock(dir: string): Promise<DirectoryLock> {
  const key = await realpath(dir);
  const file = join(dir, LOCK_FILE);
  if (heldHere.has(key)) throw new QueueLockedError(file, process.pid, 'already open in this process');

  // Create the lock under a temporary name and link() it into place: link fails if the lock exists, and
  // the lock never exists without its pid, so a reader never mistakes a half-written lock for a stale one.
  const temp = join(dir, `${LOCK_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temp, `${process.pid}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(temp, file);
        heldHere.add(key);
        let released = false;
        return {
          file,
          release: async () => {
            if (released) return;
            released = true;
            heldHere.delete(key);
            await unlink(file).catch((err: unknown) => {
              if (errno(err) !== 'ENOENT') throw err;
            });
          },
        };
      } catch (err) {
        if (errno(err) !== 'EEXIST' || attempt >= 2) throw err;
      }
      let content: string;
      try {
        content = await readFile(file, 'utf8');
      } catch (err) {
        if (errno(err) === 'ENOENT') continue; // released between our link() and readFile()
        throw err;
      }
      const pid = Number.parseInt(content.trim(), 10);
      const stale = !Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || !isAlive(pid);
      if (!stale) throw new QueueLockedError(file, pid, 'that process is still running');
      await unlink(file).catch((e: unknown) => {
        if (errno(e) !== 'ENOENT') throw e;
      });
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { QueueLockedError } from './errors.ts';
import { acquireLock, LOCK_FILE } from './lock.ts';
import { tempDir } from './testdata/helpers.ts';

describe('directory lock', () => {
  it('holds our pid and refuses a second holder in the same process until released', async (t) => {
    const dir = await tempDir(t);
    const lock = await acquireLock(dir);
    assert.equal((await readFile(join(dir, LOCK_FILE), 'utf8')).trim(), String(process.pid));
    await assert.rejects(acquireLock(dir), QueueLockedError);
    await lock.release();
    const again = await acquireLock(dir);
    await again.release();
  });

  it('refuses a lock held by another live process', async (t) => {
    const dir = await tempDir(t);
    // The parent of this test process is alive for the whole test and is not us.
    await writeFile(join(dir, LOCK_FILE), `${process.ppid}\n`);
    await assert.rejects(acquireLock(dir), (err: unknown) => {
      assert.ok(err instanceof QueueLockedError);
      assert.equal(err.pid, process.ppid);
      assert.match(err.message, /still running/);
      return true;
    });
  });

  it('takes over a stale lock whose process is dead', async (t) => {
    const dir = await tempDir(t);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    await writeFile(join(dir, LOCK_FILE), `${dead.stdout}\n`);
    const lock = await acquireLock(dir);
    assert.equal((await readFile(join(dir, LOCK_FILE), 'utf8')).trim(), String(process.pid));
    await lock.release();
  });

  it('takes over a lock carrying our own pid from a previous incarnation (pid 1 in containers)', async (t) => {
    const dir = await tempDir(t);
    await writeFile(join(dir, LOCK_FILE), `${process.pid}\n`);
    const lock = await acquireLock(dir);
    await lock.release();
  });

  it('takes over an unparsable lock file', async (t) => {
    const dir = await tempDir(t);
    await writeFile(join(dir, LOCK_FILE), 'garbage');
    const lock = await acquireLock(dir);
    await lock.release();
  });
});

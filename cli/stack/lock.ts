// One `stack up`/`down` at a time per state folder: tests in parallel processes may all ask for the stack.
import { open, readFile, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { StackError } from './settings.ts';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function withLock<T>(file: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      const valid = Number.isInteger(holder) && holder > 0;
      // An empty lock may be one another process is writing this instant; only an old one is stale.
      const ageMs = Date.now() - ((await stat(file).catch(() => undefined))?.mtimeMs ?? 0);
      if ((valid && !pidAlive(holder)) || (!valid && ageMs > 5_000)) {
        await rm(file, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new StackError(`another tributary process (pid ${holder}) holds ${file}`);
      await sleep(250);
    }
  }
  try {
    return await work();
  } finally {
    await rm(file, { force: true });
  }
}

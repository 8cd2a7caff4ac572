import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOurProcess, launchDetached, readRunRecord, stopGroup, writeRunRecord } from './processes.ts';

const idle = (marker: string) => ({
  command: process.execPath,
  args: ['-e', 'setInterval(() => {}, 1000)', '--', marker],
  env: { PATH: process.env.PATH },
});

test('a launched group is ours by its marker, and stopGroup ends exactly it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-proc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const marker = `--marker=${dir}`;
  const pid = launchDetached({ ...idle(marker), cwd: dir, logFile: join(dir, 'out.log') });
  const other = launchDetached({
    ...idle(`--marker=${dir}-other`),
    cwd: dir,
    logFile: join(dir, 'other.log'),
  });
  t.after(() => {
    try {
      process.kill(-other, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  assert.equal(isOurProcess({ pid, marker }), true);
  // The same PID with someone else's marker (a recycled PID) is not ours and is never signalled.
  assert.equal(isOurProcess({ pid, marker: '--marker=/somewhere/else' }), false);
  assert.equal(await stopGroup({ pid, marker: '--marker=/somewhere/else' }, 1000), 'not-running');
  assert.equal(isOurProcess({ pid, marker }), true);

  assert.equal(await stopGroup({ pid, marker }, 5000), 'stopped');
  assert.equal(isOurProcess({ pid, marker }), false);
  assert.equal(await stopGroup({ pid, marker }, 1000), 'not-running');
  assert.equal(
    isOurProcess({ pid: other, marker: `--marker=${dir}-other` }),
    true,
    'the other group survives',
  );
});

test('a process ignoring SIGTERM is killed after the grace period', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-proc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const marker = `--marker=${dir}`;
  // `trap '' TERM` ignores SIGTERM in the kernel (SIG_IGN, inherited by `sleep`), so only SIGKILL
  // can end this group: deterministic, unlike a JavaScript handler installed some time after start.
  const pid = launchDetached({
    command: 'bash',
    args: ['-c', "trap '' TERM; echo ignoring; while true; do sleep 0.05; done", marker],
    env: { PATH: process.env.PATH },
    cwd: dir,
    logFile: join(dir, 'out.log'),
  });
  const started = (): Promise<boolean> =>
    readFile(join(dir, 'out.log'), 'utf8').then(
      (text) => text.includes('ignoring'),
      () => false,
    );
  for (let i = 0; i < 500 && !(await started()); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(await stopGroup({ pid, marker }, 500), 'killed');
  assert.equal(isOurProcess({ pid, marker }), false);
});

test('run.json round-trips; a torn or foreign run.json reads as absent', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-run-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'run.json');
  assert.equal(await readRunRecord(file), undefined);
  const record = {
    name: 'zipkin',
    pid: 42,
    version: '3.6.1',
    ports: [9411],
    startedAt: 'now',
    logFile: 'x',
    marker: 'm',
  };
  await writeRunRecord(file, record);
  assert.deepEqual(await readRunRecord(file), record);
  await writeFile(file, '{"name":"zipkin","pid":4');
  assert.equal(await readRunRecord(file), undefined);
  await writeFile(file, '{"pid":"42"}');
  assert.equal(await readRunRecord(file), undefined);
});

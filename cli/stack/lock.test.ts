import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withLock } from './lock.ts';
import { StackError } from './settings.ts';

test('withLock runs holders one at a time and removes the lock after', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-lock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'stack.lock');
  let inside = 0;
  let maxInside = 0;
  const holder = async () => {
    inside++;
    maxInside = Math.max(maxInside, inside);
    await sleep(30);
    inside--;
  };
  await Promise.all([
    withLock(file, 5000, holder),
    withLock(file, 5000, holder),
    withLock(file, 5000, holder),
  ]);
  assert.equal(maxInside, 1);
  assert.equal(existsSync(file), false);
});

test('a lock left by a dead process is taken over; a live holder times out with a clear error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-lock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'stack.lock');
  await writeFile(file, '2147483646'); // no such pid
  assert.equal(await withLock(file, 1000, async () => 'ran'), 'ran');

  await writeFile(file, String(process.pid)); // alive: this very process
  await assert.rejects(
    withLock(file, 300, async () => 'never'),
    (e: unknown) => e instanceof StackError && /holds/.test(e.message),
  );
});

test('the lock is released when the work throws', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-lock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'stack.lock');
  await assert.rejects(
    withLock(file, 1000, async () => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.equal(existsSync(file), false);
});

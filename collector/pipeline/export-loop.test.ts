import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskQueue, type QueueRecord } from '../../common/queue/index.ts';
import { ExportLoop, type ExportOutcome } from './export-loop.ts';

async function openQueue(t: { after(fn: () => Promise<void>): void }, cursors = ['out']) {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-loop-'));
  const queue = await DiskQueue.open({ dir, cursors, fsync: 'never' });
  t.after(async () => {
    await queue.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });
  return { queue, dir };
}

const options = { maxBatchRecords: 10, maxBatchBytes: 1 << 20, failureBackoffMs: 10 };
const quietHooks = (errors: Error[] = []) => ({
  onDelivered: () => undefined,
  onError: (e: Error) => void errors.push(e),
});

test('delivers every record once in order, committing only after delivery', async (t) => {
  const { queue } = await openQueue(t);
  for (let i = 0; i < 25; i++) await queue.append(Buffer.from(`r${i}`));
  const seen: string[] = [];
  const loop = new ExportLoop(
    'out',
    queue.cursor('out'),
    async (records) => {
      for (const r of records) seen.push(r.payload.toString());
      return { delivered: records.length };
    },
    options,
    quietHooks(),
  );
  loop.start();
  for (let i = 25; i < 40; i++) await queue.append(Buffer.from(`r${i}`));
  const { drained } = await loop.stop(5000);
  assert.equal(drained, true);
  assert.deepEqual(
    seen,
    Array.from({ length: 40 }, (_, i) => `r${i}`),
  );
  assert.equal(queue.cursor('out').stats().lagRecords, 0);
});

test('a failed delivery is retried from the same records; nothing is skipped', async (t) => {
  const { queue } = await openQueue(t);
  for (let i = 0; i < 5; i++) await queue.append(Buffer.from(`r${i}`));
  let attempts = 0;
  const delivered: string[] = [];
  const errors: Error[] = [];
  const loop = new ExportLoop(
    'out',
    queue.cursor('out'),
    async (records: readonly QueueRecord[]): Promise<ExportOutcome> => {
      attempts++;
      if (attempts <= 2) throw new Error(`destination down (attempt ${attempts})`);
      for (const r of records) delivered.push(r.payload.toString());
      return { delivered: records.length };
    },
    options,
    quietHooks(errors),
  );
  loop.start();
  await loop.stop(5000);
  assert.equal(errors.length, 2);
  assert.deepEqual(delivered, ['r0', 'r1', 'r2', 'r3', 'r4']);
});

test('stop at the deadline aborts an endless delivery and leaves the records uncommitted', async (t) => {
  const { queue } = await openQueue(t);
  for (let i = 0; i < 3; i++) await queue.append(Buffer.from(`r${i}`));
  const loop = new ExportLoop(
    'out',
    queue.cursor('out'),
    (_records, signal) =>
      new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason as Error)),
      ),
    options,
    quietHooks(),
  );
  loop.start();
  const { drained } = await loop.stop(100);
  assert.equal(drained, false);
  assert.equal(queue.cursor('out').stats().lagRecords, 3, 'kept for the next start');
});

test('an idle loop stops at once', async (t) => {
  const { queue } = await openQueue(t);
  const loop = new ExportLoop(
    'out',
    queue.cursor('out'),
    async (r) => ({ delivered: r.length }),
    options,
    quietHooks(),
  );
  loop.start();
  const started = Date.now();
  assert.deepEqual(await loop.stop(10_000), { drained: true });
  assert.ok(Date.now() - started < 5000);
});

test('a small batch waits up to the flush interval for more, then goes as one delivery', async (t) => {
  const { queue } = await openQueue(t);
  const deliveries: number[] = [];
  const loop = new ExportLoop(
    'out',
    queue.cursor('out'),
    async (records) => {
      deliveries.push(records.length);
      return { delivered: records.length };
    },
    { ...options, flushIntervalMs: 500 },
    quietHooks(),
  );
  loop.start();
  await queue.append(Buffer.from('first'));
  await new Promise((r) => setTimeout(r, 100));
  await queue.append(Buffer.from('second'));
  await queue.append(Buffer.from('third'));
  for (let i = 0; i < 100 && deliveries.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  await loop.stop(5000);
  assert.deepEqual(deliveries, [3], 'one delivery of three, not three of one');
});

// Shared by the queue's tests: temp directories, a logger that records warnings, and open with small sizes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskQueue } from '../queue.ts';
import type { QueueLogger, QueueOptions } from '../options.ts';

export async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-queue-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface Warning {
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>> | undefined;
}

export function recordingLogger(): QueueLogger & { warnings: Warning[] } {
  const warnings: Warning[] = [];
  return {
    warnings,
    warn(message, details) {
      warnings.push({ message, details });
    },
  };
}

/** Small segments so that rolling and deletion happen after a few records. */
export function openSmall(dir: string, extra: Partial<QueueOptions> = {}): Promise<DiskQueue> {
  return DiskQueue.open({
    dir,
    cursors: ['a'],
    segmentBytes: 4096,
    maxRecordBytes: 1024,
    maxBytes: 1024 * 1024,
    logger: recordingLogger(),
    ...extra,
  });
}

export function payload(i: number, size = 100): Buffer {
  return Buffer.from(`record-${i}-`.padEnd(size, 'x'));
}

export function label(p: Buffer): string {
  return p.toString().replace(/-x*$/, '');
}

// Child process for crash.test.ts: appends numbered records with fsync 'always' until it is killed, and
// prints each number on stdout only after its append resolved (that is, after it was acknowledged).
// Usage: node crash-writer.ts <queue dir>
import { DiskQueue } from '../queue.ts';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: crash-writer.ts <dir>');

const queue = await DiskQueue.open({
  dir,
  cursors: ['check'],
  fsync: 'always',
  segmentBytes: 64 * 1024,
  maxRecordBytes: 64 * 1024,
  maxBytes: 1024 * 1024 * 1024,
  logger: { warn: (message) => process.stderr.write(`${message}\n`) },
});

let next = queue.stats().nextSeq;
const padding = Buffer.alloc(8192, 'p');

function record(n: number): Buffer {
  // Sizes vary so that writes cross page and iovec boundaries at different places.
  return Buffer.concat([Buffer.from(`${n}:`), padding.subarray(0, (n * 7919) % padding.length)]);
}

async function worker(): Promise<void> {
  for (;;) {
    const batch = 1 + (next % 4);
    const numbers = Array.from({ length: batch }, () => next++);
    await queue.appendMany(numbers.map(record));
    // Pipes are written synchronously on Linux, so a printed number has left this process before any kill.
    process.stdout.write(numbers.map((n) => `${n}\n`).join(''));
  }
}

process.stdout.write('ready\n');
await Promise.all(Array.from({ length: 8 }, worker));

// A tail parse worker: turns batches of lines into Forward entries (msgpack), off the main thread.
// JSON.parse is most of the tail's cost per line (see the agent benchmark), and it can only run in
// parallel in another isolate. Records are built exactly as the main-thread path builds them
// (entry-encoder.ts) and come back as bytes, so nothing is copied object by object between threads.
import { parentPort, workerData } from 'node:worker_threads';
import { createParser, getBuiltinParser } from '../../parsers/index.ts';
import type { Parser } from '../../parsers/index.ts';
import { EntryEncoder } from './entry-encoder.ts';
import type { ParseJob, ParseResultMessage, ParseWorkerData } from './parse-pool.ts';

const init = workerData as ParseWorkerData;
const parser: Parser | undefined =
  typeof init.parser === 'string' ? getBuiltinParser(init.parser) : createParser(init.parser);
if (parser === undefined) throw new Error(`parser ${String(init.parser)} is not available in the worker`);
const encoder = new EntryEncoder(init.keys, parser);

parentPort?.on('message', (job: ParseJob) => {
  const stream = encoder.encode(job.lines, job.nowMs);
  const message: ParseResultMessage = { id: job.id, stream, count: job.lines.count };
  parentPort?.postMessage(message, [stream.buffer]);
});

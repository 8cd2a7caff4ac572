// Where records no destination will ever accept go, with the reason: never dropped silently.
// With the Elasticsearch exporter configured they become documents in its dead-letter data stream;
// without it, lines in an append-only NDJSON file beside the queue.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

export interface DeadLetter {
  /** The exporter that gave up on the record. */
  exporter: string;
  reason: string;
  /** The record as the exporter tried to send it (JSON text). */
  original: string;
}

export interface DeadLetterStore {
  /** Resolves once the letters are durable; rejects on abort (the caller then retries the whole batch). */
  write(letters: readonly DeadLetter[], signal: AbortSignal): Promise<void>;
}

/** Deterministic, so a replayed batch dead-letters into the same ids (idempotent). */
export function deadLetterId(letter: DeadLetter): string {
  return createHash('sha256')
    .update(letter.exporter)
    .update('\0')
    .update(letter.original)
    .digest('base64url')
    .slice(0, 32);
}

/** One NDJSON line of the file store: the reason and the original, as the exporter had it. */
function deadLetterLine(letter: DeadLetter): string {
  return (
    JSON.stringify({
      '@timestamp': new Date().toISOString(),
      message: `${letter.exporter} rejected a record: ${letter.reason}`,
      error: { type: `${letter.exporter}_rejected`, message: letter.reason },
      event: { id: deadLetterId(letter), kind: 'pipeline_error', original: letter.original },
    }) + '\n'
  );
}

export class FileDeadLetterStore implements DeadLetterStore {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  async write(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const handle = await open(this.#path, 'a');
    try {
      await handle.write(letters.map(deadLetterLine).join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

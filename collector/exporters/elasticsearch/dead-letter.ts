import { createHash } from 'node:crypto';
import type { BulkDocument } from './bulk.ts';

export interface Rejection {
  readonly doc: BulkDocument;
  /** Item status, or 0 when the sink refused the document before sending it. */
  readonly status: number;
  readonly type: string;
  readonly reason: string;
}

/**
 * The dead letter's `_id`: a hash of target index and original id, so the same rejection
 * replayed (the caller re-sends a batch after a crash) is a 409 again rather than a second copy.
 * Hashed because the original id may already be at Elasticsearch's 512-byte limit.
 */
export function deadLetterId(index: string, id: string): string {
  return createHash('sha256').update(index).update('\0').update(id).digest('base64url');
}

/**
 * A rejection as a dead-letter document for `dataStream`. The original source is kept as a
 * string, never parsed: it was rejected for its shape, and parsing it into fields would fail the
 * same way. `maxOriginalChars` keeps a document that was refused for its size (413) from being
 * refused again as a dead letter.
 */
export function deadLetterDocument(r: Rejection, dataStream: string, maxOriginalChars: number): BulkDocument {
  const [type = 'logs', dataset = '', namespace = ''] = dataStream.split('-');
  const src = r.doc.source;
  const truncated = src.length > maxOriginalChars;
  const message = `${r.type}: ${r.reason}`;
  const doc = {
    '@timestamp': new Date().toISOString(),
    message: message.length > 4096 ? message.slice(0, 4096) : message,
    event: {
      id: r.doc.id,
      kind: 'pipeline_error',
      original: truncated ? src.slice(0, maxOriginalChars) : src,
    },
    error: { type: r.type, message: r.reason },
    data_stream: { type, dataset, namespace },
    tributary: {
      dead_letter: {
        index: r.doc.index,
        status: r.status,
        ...(truncated ? { truncated: true, original_length: src.length } : {}),
      },
    },
  };
  return { index: dataStream, id: deadLetterId(r.doc.index, r.doc.id), source: JSON.stringify(doc) };
}

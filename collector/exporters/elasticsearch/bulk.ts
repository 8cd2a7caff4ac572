/*
 * The `_bulk` hot path: NDJSON encoding by string concatenation (documents arrive already
 * serialised and are never parsed or re-serialised here), and the classification of the
 * per-item statuses Elasticsearch sends back.
 */

export interface BulkDocument {
  /** Target data stream (or index); must already be a valid name. */
  index: string;
  /** `_id`: the event's stable `event.id`, which makes replays idempotent. */
  id: string;
  /** The ECS document, already JSON-serialised (one line: no raw newline). */
  source: string;
}

/** Elasticsearch refuses longer ids for the whole request, not per item. */
export const MAX_ID_BYTES = 512;

/** `filter_path` of every bulk: only what classification needs, so huge batches get small answers. */
export const BULK_FILTER_PATH = 'errors,items.*.status,items.*.error.type,items.*.error.reason';

export interface EncodedBulk {
  body: string;
  /** UTF-8 length of `body`. */
  bytes: number;
  /** Documents `[start, end)` of the input are in `body`. */
  end: number;
}

// Most batches target a handful of data streams: the JSON prefix per index is computed once.
// Bounded so that a stream of distinct names cannot grow it without limit.
const prefixCache = new Map<string, { text: string; bytes: number }>();
const PREFIX_CACHE_LIMIT = 1024;

function actionPrefix(index: string): { text: string; bytes: number } {
  let p = prefixCache.get(index);
  if (p === undefined) {
    const text = '{"create":{"_index":' + JSON.stringify(index) + ',"_id":';
    p = { text, bytes: Buffer.byteLength(text) };
    if (prefixCache.size >= PREFIX_CACHE_LIMIT) prefixCache.clear();
    prefixCache.set(index, p);
  }
  return p;
}

/**
 * Encodes `docs[start..]` into one `_bulk` body of at most `maxBytes` bytes and `maxDocs`
 * documents; always at least one document, so an oversized one travels alone (and Elasticsearch
 * decides). Each document costs two string concatenations and a length computation.
 */
export function encodeBulk(
  docs: readonly BulkDocument[],
  start: number,
  maxBytes: number,
  maxDocs: number,
): EncodedBulk {
  let body = '';
  let bytes = 0;
  let i = start;
  const limit = Math.min(docs.length, start + maxDocs);
  for (; i < limit; i++) {
    const d = docs[i] as BulkDocument;
    const prefix = actionPrefix(d.index);
    const id = JSON.stringify(d.id);
    // `}}\n` after the id and `\n` after the source: 4 bytes.
    const n = prefix.bytes + Buffer.byteLength(id) + Buffer.byteLength(d.source) + 4;
    if (bytes + n > maxBytes && i > start) break;
    body += prefix.text + id + '}}\n' + d.source + '\n';
    bytes += n;
  }
  return { body, bytes, end: i };
}

/** Why a document cannot go into a bulk body at all (it would break the request for the others). */
export function documentProblem(doc: BulkDocument): { type: string; reason: string } | undefined {
  const { id, source } = doc;
  if (id.length === 0) return { type: 'invalid_id', reason: '_id is empty' };
  if (id.length * 3 > MAX_ID_BYTES && Buffer.byteLength(id) > MAX_ID_BYTES)
    return { type: 'invalid_id', reason: `_id is longer than ${MAX_ID_BYTES} bytes` };
  if (source.length === 0) return { type: 'invalid_source', reason: 'source is empty' };
  return undefined;
}

/**
 * A source with a raw newline would split into two NDJSON lines and desynchronise every
 * following action of the request. Pretty-printed JSON is rescued by re-serialising it (rare,
 * off the common path); anything unparseable is a problem.
 */
export function oneLineSource(source: string): string | undefined {
  if (source.indexOf('\n') === -1 && source.indexOf('\r') === -1) return source;
  try {
    return JSON.stringify(JSON.parse(source));
  } catch {
    return undefined;
  }
}

/** The shape `filter_path=BULK_FILTER_PATH` leaves of a bulk response. */
export interface BulkResponseBody {
  errors?: boolean;
  items?: Array<Record<string, BulkItemResult | undefined>>;
}

export interface BulkItemResult {
  status?: number;
  error?: { type?: string; reason?: string };
}

export type ItemOutcome = 'created' | 'duplicate' | 'retry' | 'reject';

/**
 * 2xx created; 409 a duplicate (`create` of an `_id` that is there: a replay); 429, 5xx, and 408
 * retried; any other status is about the document itself and will not change on retry.
 */
export function classifyStatus(status: number): ItemOutcome {
  if (status >= 200 && status < 300) return 'created';
  if (status === 409) return 'duplicate';
  if (status === 429 || status === 408 || status >= 500) return 'retry';
  return 'reject';
}

/** The first (only) action result of a response item. */
export function itemResult(item: Record<string, BulkItemResult | undefined> | undefined): BulkItemResult {
  if (item === undefined) return {};
  for (const k in item) return item[k] ?? {};
  return {};
}

/**
 * What a whole request's error response says: the `error` object's type and reason (or `error` as
 * plain text), else `http_<status>` and `fallback` (a proxy's HTML page says nothing useful).
 */
export function responseErrorOf(
  status: number,
  body: unknown,
  fallback: string,
): { type: string; reason: string } {
  const e =
    typeof body === 'object' && body !== null && 'error' in body
      ? (body as { error?: { type?: string; reason?: string } | string | null }).error
      : undefined;
  const type = typeof e === 'object' && e?.type !== undefined ? e.type : `http_${status}`;
  const reason =
    typeof e === 'object' && e?.reason !== undefined ? e.reason : typeof e === 'string' ? e : fallback;
  return { type, reason };
}

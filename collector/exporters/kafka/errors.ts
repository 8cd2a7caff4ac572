/**
 * What the sink does about a kafkajs error. kafkajs wraps the broker's answer (a
 * KafkaJSProtocolError with `type`) in KafkaJSNonRetriableError / KafkaJSNumberOfRetriesExceeded
 * (`cause`) or in a KafkaJSAggregateError (`errors`), so the whole chain is searched.
 */
export type KafkaErrorKind =
  /** The batch (or a message in it) is over the broker's size limit: isolate and reject. */
  | 'too-large'
  /** The broker refused a record as invalid: isolate and reject. */
  | 'invalid-record'
  /** The idempotent producer's sequence state no longer matches the broker's: new producer, retry. */
  | 'producer-state'
  /** The topic vanished (deleted, or metadata not there yet): create it again, retry. */
  | 'unknown-topic'
  /** Transient by nature: backoff and retry. */
  | 'transient'
  /** Not transient, but not about the data either (auth, ACLs, versions): an operator must act; retry. */
  | 'stuck';

const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);
const INVALID = new Set(['INVALID_RECORD', 'INVALID_TIMESTAMP', 'INVALID_RECORD_STATE']);
const PRODUCER_STATE = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'DUPLICATE_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
  'PRODUCER_FENCED',
]);
const TRANSIENT_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
  'KafkaJSLockTimeout',
]);

interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly type?: unknown;
  readonly retriable?: unknown;
  readonly cause?: unknown;
  readonly errors?: unknown;
}

/** Every error in the chain, outermost first (cycles and depth bounded). */
export function errorChain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const queue: unknown[] = [err];
  while (queue.length > 0 && out.length < 32) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null || out.includes(e)) continue;
    const el = e as ErrorLike;
    out.push(el);
    queue.push(el.cause);
    if (Array.isArray(el.errors)) queue.push(...(el.errors as unknown[]));
  }
  return out;
}

/** The broker error types (e.g. `MESSAGE_TOO_LARGE`) anywhere in the chain. */
export function errorTypes(err: unknown): string[] {
  return errorChain(err)
    .map((e) => e.type)
    .filter((t): t is string => typeof t === 'string');
}

export function classifyKafkaError(err: unknown): KafkaErrorKind {
  const types = errorTypes(err);
  if (types.some((t) => TOO_LARGE.has(t))) return 'too-large';
  if (types.some((t) => INVALID.has(t))) return 'invalid-record';
  if (types.some((t) => PRODUCER_STATE.has(t))) return 'producer-state';
  if (types.includes('UNKNOWN_TOPIC_OR_PARTITION')) return 'unknown-topic';
  const chain = errorChain(err);
  // The innermost error decides: KafkaJSNumberOfRetriesExceeded is itself "non-retriable"
  // (kafkajs gave up), but our retry loop outlives kafkajs's, so its cause is what counts.
  const root = chain.at(-1);
  if (root !== undefined && (root.retriable === true || TRANSIENT_NAMES.has(String(root.name))))
    return 'transient';
  if (chain.some((e) => TRANSIENT_NAMES.has(String(e.name)))) return 'transient';
  if (chain.some((e) => e.name === 'KafkaJSNumberOfRetriesExceeded')) return 'transient';
  return 'stuck';
}

/** "outer: inner: root" without repeats, for logs and rejection reasons. */
export function describeKafkaError(err: unknown): string {
  const parts: string[] = [];
  for (const e of errorChain(err)) {
    const msg = typeof e.message === 'string' ? e.message : String(e);
    const text = typeof e.type === 'string' && !msg.includes(e.type) ? `${msg} (${e.type})` : msg;
    if (!parts.includes(text)) parts.push(text);
  }
  return parts.length === 0 ? String(err) : parts.join(': ');
}

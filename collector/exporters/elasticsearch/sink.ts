import { readFileSync } from 'node:fs';
import { Client, errors } from '@elastic/elasticsearch';
import type { ClientOptions } from '@elastic/elasticsearch';
import { indexNameProblem } from '../../processors/ecs/naming.ts';
import { abortError, abortableSleep, backoffDelay, raceAbort, throwIfAborted } from './backoff.ts';
import {
  BULK_FILTER_PATH,
  classifyStatus,
  documentProblem,
  encodeBulk,
  itemResult,
  oneLineSource,
  responseErrorOf,
} from './bulk.ts';
import type { BulkDocument, BulkResponseBody, EncodedBulk } from './bulk.ts';
import type { ElasticsearchExporterConfig } from './config.ts';
import { deadLetterDocument } from './dead-letter.ts';
import type { Rejection } from './dead-letter.ts';
import { buildTemplates, detectFeatures, installTemplates } from './templates.ts';
import type { DetectedFeatures } from './templates.ts';

export interface SinkLogger {
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
}

export interface ElasticsearchSinkDeps {
  logger: SinkLogger;
  /** Source of backoff jitter in [0, 1); `Math.random` when omitted. */
  random?: () => number;
}

/**
 * What one `write` did. `created + duplicates + deadLettered + dropped` equals the number of
 * documents written.
 */
export interface SinkWriteResult {
  created: number;
  /** `create` answered 409: the `_id` is already there (a replay). Not an error. */
  duplicates: number;
  /** Rejected by Elasticsearch and stored in the dead-letter data stream. */
  deadLettered: number;
  /** Documents re-sent (each re-send of each document counts once). */
  retries: number;
  /** Rejected, and the dead letter was rejected as well (logged as an error): lost. Should stay 0. */
  dropped?: number;
}

export interface ElasticsearchSinkStats {
  created: number;
  duplicates: number;
  deadLettered: number;
  dropped: number;
  retries: number;
  bulkRequests: number;
  /** Uncompressed request body bytes sent, retries included. */
  bulkBytes: number;
  /** Failed requests and items by reason: Elasticsearch's `error.type`, `http_<status>`, `connection_error`, `timeout`. */
  failures: Record<string, number>;
}

type Counter = 'created' | 'duplicates' | 'deadLettered' | 'dropped' | 'retries';

type RequestFailure =
  | { readonly action: 'retry'; readonly type: string; readonly reason: string }
  | { readonly action: 'split'; readonly type: string; readonly reason: string; readonly status: number };

const MAX_FAILURE_REASONS = 64;

function isPowerOfTwo(n: number): boolean {
  return (n & (n - 1)) === 0;
}

function clientOptions(config: ElasticsearchExporterConfig): ClientOptions {
  const options: ClientOptions = {
    nodes: [...config.endpoints],
    // Retrying is ours: per item, with backoff, until the caller aborts. The client's own retry
    // would resend the whole body at once, without backoff, and then give up.
    maxRetries: 0,
    requestTimeout: config.request_timeout,
    compression: config.compression,
    name: 'tributary-elasticsearch-exporter',
  };
  const { auth, tls } = config;
  if (auth !== undefined)
    options.auth =
      'api_key' in auth ? { apiKey: auth.api_key } : { username: auth.username, password: auth.password };
  options.tls = {
    rejectUnauthorized: tls.reject_unauthorized,
    ...(tls.ca_file === undefined ? {} : { ca: readFileSync(tls.ca_file) }),
  };
  return options;
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Whether a whole `_bulk` request failing is worth repeating, or says something about its documents. */
export function classifyRequestError(err: unknown): RequestFailure {
  if (err instanceof errors.ResponseError) {
    const status = err.statusCode ?? 0;
    const { type, reason } = responseErrorOf(status, err.body, err.message);
    // 401/403/404 on `_bulk` are credentials, privileges or a proxy: fixed by an operator, not
    // by dead-lettering every document.
    if (
      status === 408 ||
      status === 429 ||
      status >= 500 ||
      status === 401 ||
      status === 403 ||
      status === 404
    )
      return { action: 'retry', type, reason };
    // 413 or a 400 for the request: some document in it is the problem; halve until it is found.
    return { action: 'split', type, reason, status };
  }
  if (err instanceof errors.TimeoutError) return { action: 'retry', type: 'timeout', reason: err.message };
  if (err instanceof errors.ConnectionError || err instanceof errors.NoLivingConnectionsError)
    return { action: 'retry', type: 'connection_error', reason: err.message };
  if (err instanceof errors.DeserializationError)
    return { action: 'retry', type: 'deserialization_error', reason: err.message };
  // Unknown: retrying is safe (writes are idempotent), dropping is not.
  return { action: 'retry', type: 'unexpected_error', reason: errorText(err) };
}

/**
 * Writes ECS documents into Elasticsearch data streams with `_bulk` `create`, exactly once per
 * `_id`: see README.md for the status handling, the dead-letter stream and the templates.
 */
export class ElasticsearchSink {
  readonly #config: ElasticsearchExporterConfig;
  readonly #logger: SinkLogger;
  readonly #random: () => number;
  readonly #client: Client;
  /** Aborted by `shutdown`: ends the template loop and every write still retrying. */
  readonly #lifetime = new AbortController();
  #ready: Promise<void> | undefined;
  #isReady = false;
  #closed = false;
  #features: DetectedFeatures | undefined;
  readonly #validIndices = new Set<string>();
  readonly #counters = { created: 0, duplicates: 0, deadLettered: 0, dropped: 0, retries: 0 };
  #bulkRequests = 0;
  #bulkBytes = 0;
  readonly #failures = new Map<string, number>();

  constructor(config: ElasticsearchExporterConfig, deps: ElasticsearchSinkDeps) {
    this.#config = config;
    this.#logger = deps.logger;
    this.#random = deps.random ?? Math.random;
    this.#client = new Client(clientOptions(config));
    if (config.auth !== undefined) {
      const plain = config.endpoints.filter((e) => e.startsWith('http:') && !isLoopback(e));
      if (plain.length > 0)
        this.#logger.warn('elasticsearch exporter: credentials configured for plain-http endpoints', {
          endpoints: plain,
        });
    }
  }

  /** Counters since construction (a snapshot). */
  get stats(): ElasticsearchSinkStats {
    return {
      ...this.#counters,
      bulkRequests: this.#bulkRequests,
      bulkBytes: this.#bulkBytes,
      failures: Object.fromEntries(this.#failures),
    };
  }

  /** True once the templates are installed (or installation is disabled): writes go out. */
  get ready(): boolean {
    return this.#isReady;
  }

  /** What the last successful probe found; undefined before it (or with `templates.install: false`). */
  get features(): DetectedFeatures | undefined {
    return this.#features;
  }

  /**
   * Starts feature detection and template installation in the background and returns at once:
   * an Elasticsearch that is down must not keep the collector from starting and queueing.
   */
  start(): Promise<void> {
    if (this.#ready === undefined && !this.#closed) {
      this.#ready = this.#prepare();
      // The loop only ever ends in failure through shutdown; writes observe it via raceAbort.
      this.#ready.catch(() => undefined);
    }
    return Promise.resolve();
  }

  async #prepare(): Promise<void> {
    const { templates, retry, ilm_policy } = this.#config;
    if (!templates.install) {
      this.#isReady = true;
      this.#logger.info('elasticsearch exporter: template installation disabled');
      return;
    }
    const signal = this.#lifetime.signal;
    for (let attempt = 1; ; attempt++) {
      try {
        const features = await detectFeatures(this.#client, signal);
        if (this.#features === undefined)
          this.#logger.info('elasticsearch exporter: features detected', { ...features });
        this.#features = features;
        if (ilm_policy !== undefined && !features.ilm)
          this.#logger.warn('elasticsearch exporter: no ILM on this cluster; ilmPolicy not attached', {
            ilm_policy,
          });
        const list = buildTemplates(this.#config, features);
        await installTemplates(this.#client, list, signal);
        this.#isReady = true;
        this.#logger.info('elasticsearch exporter: index templates installed', {
          templates: list.map((t) => t.name),
          attempts: attempt,
        });
        return;
      } catch (err) {
        if (signal.aborted) throw abortError(signal);
        const failure = classifyRequestError(err);
        this.#countFailure(failure.type);
        const delayMs = backoffDelay(attempt, retry.initial_backoff, retry.max_backoff, this.#random);
        // A 4xx here is a template Elasticsearch refuses (e.g. a priority clash): needs a human.
        const log = failure.action === 'split' ? this.#logger.error : this.#logger.warn;
        if (failure.action === 'split' || attempt === 1 || isPowerOfTwo(attempt))
          log.call(this.#logger, 'elasticsearch exporter: template installation failed; retrying', {
            attempt,
            delayMs,
            error: failure.type,
            reason: failure.reason,
          });
        await abortableSleep(delayMs, signal);
      }
    }
  }

  /**
   * Resolves when every document is created, a duplicate, or dead-lettered. Retries 429/5xx/
   * connection failures forever; rejects with `SinkAbortedError` (name `AbortError`) when `signal`
   * aborts or the sink shuts down, and the caller must then not consider the batch written.
   */
  async write(docs: readonly BulkDocument[], signal: AbortSignal): Promise<SinkWriteResult> {
    if (this.#closed) throw new Error('ElasticsearchSink is shut down');
    throwIfAborted(signal);
    void this.start();
    const combined = AbortSignal.any([signal, this.#lifetime.signal]);
    if (!this.#isReady && this.#ready !== undefined) await raceAbort(this.#ready, combined);
    const result = { created: 0, duplicates: 0, deadLettered: 0, retries: 0, dropped: 0 };
    const rejected: Rejection[] = [];
    const sendable = this.#screen(docs, rejected);
    await this.#deliver(sendable, false, result, rejected, combined);
    if (rejected.length > 0) {
      const { data_stream } = this.#config.dead_letter;
      const byType: Record<string, number> = {};
      for (const r of rejected) byType[r.type] = (byType[r.type] ?? 0) + 1;
      this.#logger.warn(
        'elasticsearch exporter: documents rejected; writing them to the dead-letter stream',
        {
          count: rejected.length,
          byType,
          first: { index: rejected[0]?.doc.index, id: rejected[0]?.doc.id, reason: rejected[0]?.reason },
          data_stream,
        },
      );
      const maxOriginal = Math.floor(this.#config.max_batch_bytes / 8);
      const letters = rejected.map((r) => deadLetterDocument(r, data_stream, maxOriginal));
      await this.#deliver(letters, true, result, [], combined);
    }
    return result;
  }

  /** Stops background work, aborts writes still retrying, closes connections. */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#lifetime.abort(new Error('ElasticsearchSink shut down'));
    await this.#ready?.catch(() => undefined);
    await this.#client.close();
  }

  /**
   * Documents that must not go into a bulk body (they would fail the request for all the others,
   * or write to a name nobody validated) go straight to `rejected`. Returns `docs` itself in the
   * usual case where all are fine.
   */
  #screen(docs: readonly BulkDocument[], rejected: Rejection[]): readonly BulkDocument[] {
    let out: BulkDocument[] | undefined;
    for (let i = 0; i < docs.length; i++) {
      const doc = docs[i] as BulkDocument;
      let problem = documentProblem(doc);
      let fixed: BulkDocument | undefined;
      if (problem === undefined && !this.#validIndices.has(doc.index)) {
        const p = indexNameProblem(doc.index);
        if (p !== undefined) problem = { type: 'invalid_index', reason: p };
        else {
          if (this.#validIndices.size >= 4096) this.#validIndices.clear();
          this.#validIndices.add(doc.index);
        }
      }
      if (problem === undefined) {
        const line = oneLineSource(doc.source);
        if (line === undefined)
          problem = { type: 'invalid_source', reason: 'source has a raw newline and is not valid JSON' };
        else if (line !== doc.source) fixed = { index: doc.index, id: doc.id, source: line };
      }
      if (problem === undefined && fixed === undefined) {
        out?.push(doc);
        continue;
      }
      out ??= docs.slice(0, i);
      if (problem !== undefined) rejected.push({ doc, status: 0, ...problem });
      else if (fixed !== undefined) out.push(fixed);
    }
    return out ?? docs;
  }

  #count(result: SinkWriteResult, key: Counter, n: number): void {
    result[key] = (result[key] ?? 0) + n;
    this.#counters[key] += n;
  }

  #countFailure(reason: string, n = 1): void {
    const key = this.#failures.has(reason) || this.#failures.size < MAX_FAILURE_REASONS ? reason : 'other';
    this.#failures.set(key, (this.#failures.get(key) ?? 0) + n);
  }

  /** Sends `docs` in bulk-sized chunks, `concurrency` requests at a time. */
  async #deliver(
    docs: readonly BulkDocument[],
    deadLetters: boolean,
    result: SinkWriteResult,
    rejected: Rejection[],
    signal: AbortSignal,
  ): Promise<void> {
    if (docs.length === 0) return;
    const { max_batch_bytes, max_batch_docs, concurrency } = this.#config;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < docs.length) {
        const start = next;
        // Synchronous between awaits, so workers never encode the same range.
        const encoded = encodeBulk(docs, start, max_batch_bytes, max_batch_docs);
        next = encoded.end;
        await this.#sendChunk(docs.slice(start, encoded.end), encoded, deadLetters, result, rejected, signal);
      }
    };
    const workers: Promise<void>[] = [];
    for (let i = 0; i < concurrency; i++) workers.push(worker());
    // allSettled: when one worker is aborted, wait for the others too, so that nothing of this
    // write is still running (and counting) after it rejected.
    const settled = await Promise.allSettled(workers);
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
  }

  async #sendChunk(
    chunk: readonly BulkDocument[],
    encoded: EncodedBulk | undefined,
    deadLetters: boolean,
    result: SinkWriteResult,
    rejected: Rejection[],
    signal: AbortSignal,
  ): Promise<void> {
    const { initial_backoff, max_backoff } = this.#config.retry;
    let pending = chunk;
    let enc = encoded;
    let attempt = 0;
    const retryLater = async (docs: readonly BulkDocument[], type: string, reason: string): Promise<void> => {
      attempt++;
      this.#count(result, 'retries', docs.length);
      const delayMs = backoffDelay(attempt, initial_backoff, max_backoff, this.#random);
      if (attempt === 1 || isPowerOfTwo(attempt))
        this.#logger.warn('elasticsearch exporter: bulk retry', {
          attempt,
          docs: docs.length,
          delayMs,
          type,
          reason,
        });
      await abortableSleep(delayMs, signal);
    };
    while (pending.length > 0) {
      enc ??= encodeBulk(pending, 0, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
      let body: BulkResponseBody;
      try {
        this.#bulkRequests++;
        this.#bulkBytes += enc.bytes;
        body = await this.#client.transport.request<BulkResponseBody>(
          {
            method: 'POST',
            path: '/_bulk',
            querystring: { filter_path: BULK_FILTER_PATH },
            bulkBody: enc.body,
          },
          { signal, maxRetries: 0 },
        );
      } catch (err) {
        if (signal.aborted) throw abortError(signal);
        const failure = classifyRequestError(err);
        this.#countFailure(failure.type);
        if (failure.action === 'retry') {
          await retryLater(pending, failure.type, failure.reason);
          enc = undefined;
          continue;
        }
        if (pending.length > 1) {
          const mid = pending.length >>> 1;
          await this.#sendChunk(pending.slice(0, mid), undefined, deadLetters, result, rejected, signal);
          await this.#sendChunk(pending.slice(mid), undefined, deadLetters, result, rejected, signal);
          return;
        }
        this.#reject(
          pending[0] as BulkDocument,
          failure.status,
          failure.type,
          failure.reason,
          deadLetters,
          result,
          rejected,
        );
        return;
      }
      enc = undefined;
      const items = body.items;
      if (items === undefined || items.length !== pending.length) {
        // Never seen from a real server; a proxy in between could do it. Positions cannot be
        // trusted, so send all again: duplicates come back as 409s.
        this.#countFailure('malformed_response');
        await retryLater(
          pending,
          'malformed_response',
          `expected ${pending.length} items, got ${items?.length}`,
        );
        continue;
      }
      if (body.errors === false) {
        this.#count(result, deadLetters ? 'deadLettered' : 'created', pending.length);
        return;
      }
      const retry: BulkDocument[] = [];
      let retryType = '';
      let retryReason = '';
      for (let i = 0; i < pending.length; i++) {
        const doc = pending[i] as BulkDocument;
        const r = itemResult(items[i]);
        const status = r.status ?? 0;
        switch (classifyStatus(status)) {
          case 'created':
            this.#count(result, deadLetters ? 'deadLettered' : 'created', 1);
            break;
          case 'duplicate':
            // A dead letter that is already there was stored by an earlier replay of this batch.
            this.#count(result, deadLetters ? 'deadLettered' : 'duplicates', 1);
            break;
          case 'retry':
            retryType = r.error?.type ?? `http_${status}`;
            retryReason = r.error?.reason ?? '';
            this.#countFailure(retryType);
            retry.push(doc);
            break;
          case 'reject': {
            const type = r.error?.type ?? `http_${status}`;
            this.#countFailure(type);
            this.#reject(doc, status, type, r.error?.reason ?? '', deadLetters, result, rejected);
            break;
          }
        }
      }
      if (retry.length === 0) return;
      await retryLater(retry, retryType, retryReason);
      pending = retry;
    }
  }

  #reject(
    doc: BulkDocument,
    status: number,
    type: string,
    reason: string,
    deadLetter: boolean,
    result: SinkWriteResult,
    rejected: Rejection[],
  ): void {
    if (!deadLetter) {
      rejected.push({ doc, status, type, reason });
      return;
    }
    // The dead letter itself was refused: nothing else can take it. Loud, counted, and the write
    // still completes, because retrying a 4xx would block the queue forever.
    this.#count(result, 'dropped', 1);
    this.#logger.error('elasticsearch exporter: dead letter rejected; document DROPPED', {
      deadLetterIndex: doc.index,
      deadLetterId: doc.id,
      status,
      type,
      reason,
      source: doc.source.length > 2048 ? doc.source.slice(0, 2048) + '…' : doc.source,
    });
  }
}

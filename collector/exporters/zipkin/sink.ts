import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { abortError, backoffDelay, sleep } from '../retry.ts';
import type { ZipkinExporterConfig } from './config.ts';

const gzip = promisify(gzipCb);

/** The logger the collector hands every component (pino-shaped: message first, fields second). */
export interface ExporterLogger {
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
}

export interface ZipkinSinkDeps {
  readonly logger: ExporterLogger;
}

/** Spans Zipkin refused (HTTP 400/413 for a request holding only these), with Zipkin's message. */
export interface ZipkinRejection {
  readonly spans: string[];
  readonly reason: string;
}

export interface ZipkinSendResult {
  /** Spans Zipkin accepted (202). */
  readonly sent: number;
  /** Spans isolated by bisection that Zipkin refused; the caller dead-letters them. */
  readonly rejected: ZipkinRejection[];
  /** Requests of this send that were retried after a transient failure. */
  readonly retries: number;
}

/** Counters since construction; read-only to callers, updated in place. */
export interface ZipkinSinkStats {
  /** HTTP requests made (each attempt counts). */
  readonly requests: number;
  readonly spansSent: number;
  readonly spansRejected: number;
  /** Attempts that failed transiently and were retried. */
  readonly retries: number;
  /** Request bodies sent, in bytes on the wire (after compression). */
  readonly bytesSent: number;
  /** Requests answered 400/413 (each bisection step counts). */
  readonly rejectedRequests: number;
}

type MutableStats = { -readonly [K in keyof ZipkinSinkStats]: ZipkinSinkStats[K] };

/** What one request finally came to, after its transient failures were retried away. */
type PostOutcome = { readonly accepted: true } | { readonly accepted: false; readonly reason: string };

/** Longest reason kept from a Zipkin error body: a dead-letter reason, not a log dump. */
const MAX_REASON_CHARS = 1024;
const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/**
 * Delivers Zipkin v2 spans (JSON text, exactly as received) to a Zipkin server's
 * `POST /api/v2/spans`. At-least-once: `send` resolves only when every span was accepted or
 * isolated and rejected; transient failures are retried until the caller's signal aborts.
 */
export class ZipkinSink {
  readonly stats: ZipkinSinkStats;
  readonly #stats: MutableStats;
  readonly #config: ZipkinExporterConfig;
  readonly #logger: ExporterLogger;
  readonly #url: string;
  readonly #healthUrl: string;
  /** Aborted by shutdown(): stops the start-up probe and every in-flight send. */
  readonly #closing = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(config: ZipkinExporterConfig, deps: ZipkinSinkDeps) {
    this.#config = config;
    this.#logger = deps.logger;
    const base = config.endpoint.replace(/\/+$/, '');
    this.#url = `${base}/api/v2/spans`;
    this.#healthUrl = `${base}/health`;
    this.#stats = {
      requests: 0,
      spansSent: 0,
      spansRejected: 0,
      retries: 0,
      bytesSent: 0,
      rejectedRequests: 0,
    };
    this.stats = this.#stats;
  }

  /**
   * Returns at once. Probes `GET /health` in the background (with backoff until it answers)
   * only to log early whether the endpoint is reachable; sends do not wait for it, as each
   * one retries on its own.
   */
  start(): Promise<void> {
    if (this.#closing.signal.aborted) return Promise.reject(new Error('zipkin exporter is shut down'));
    this.#track(this.#probe(this.#closing.signal)).catch(() => {
      // #probe handles its own errors; an abort on shutdown is the only way out here.
    });
    return Promise.resolve();
  }

  /**
   * Posts `spans` in requests of at most `max_batch_spans` spans / `max_batch_bytes` bytes.
   * Rejects with the abort reason when `signal` (or shutdown) aborts; spans already accepted
   * then reach Zipkin again on the caller's replay (see README, "Replays").
   */
  send(spans: readonly string[], signal: AbortSignal): Promise<ZipkinSendResult> {
    if (this.#closing.signal.aborted) return Promise.reject(new Error('zipkin exporter is shut down'));
    return this.#track(this.#send(spans, AbortSignal.any([signal, this.#closing.signal])));
  }

  /** Aborts the probe and in-flight sends (they reject, the caller replays) and waits for them. */
  async shutdown(): Promise<void> {
    if (!this.#closing.signal.aborted) {
      const reason = new Error('zipkin exporter is shutting down');
      reason.name = 'AbortError';
      this.#closing.abort(reason);
    }
    await Promise.allSettled([...this.#inFlight]);
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#inFlight.add(p);
    const done = (): void => {
      this.#inFlight.delete(p);
    };
    p.then(done, done);
    return p;
  }

  async #send(spans: readonly string[], signal: AbortSignal): Promise<ZipkinSendResult> {
    if (signal.aborted) throw abortError(signal);
    const result = { sent: 0, rejected: [] as ZipkinRejection[], retries: 0 };
    const { max_batch_spans, max_batch_bytes } = this.#config;
    let start = 0;
    // The running size counts the brackets and commas, so a batch's body is what was counted.
    let bytes = 2;
    const lengths = spans.map((s) => Buffer.byteLength(s));
    for (let i = 0; i < spans.length; i++) {
      const len = lengths[i] ?? 0;
      const count = i - start;
      if (count > 0 && (count >= max_batch_spans || bytes + 1 + len > max_batch_bytes)) {
        await this.#deliver(spans.slice(start, i), signal, result);
        start = i;
        bytes = 2;
      }
      bytes += (i > start ? 1 : 0) + len;
    }
    if (start < spans.length) await this.#deliver(spans.slice(start), signal, result);
    return result;
  }

  /**
   * Zipkin refuses a whole request when one span in it is bad, and says only why, not which:
   * so a refused batch is halved until the bad spans stand alone. k bad spans in n cost about
   * 2k·log2(n) extra requests; the good halves are accepted on the way down.
   */
  async #deliver(
    batch: readonly string[],
    signal: AbortSignal,
    result: { sent: number; rejected: ZipkinRejection[]; retries: number },
  ): Promise<void> {
    const outcome = await this.#postWithRetry(batch, signal, result);
    if (outcome.accepted) {
      result.sent += batch.length;
      this.#stats.spansSent += batch.length;
      return;
    }
    if (batch.length === 1) {
      result.rejected.push({ spans: [...batch], reason: outcome.reason });
      this.#stats.spansRejected += 1;
      this.#logger.warn('zipkin rejected a span', { reason: outcome.reason });
      return;
    }
    const mid = Math.ceil(batch.length / 2);
    await this.#deliver(batch.slice(0, mid), signal, result);
    await this.#deliver(batch.slice(mid), signal, result);
  }

  async #postWithRetry(
    batch: readonly string[],
    signal: AbortSignal,
    result: { retries: number },
  ): Promise<PostOutcome> {
    const json = joinSpans(batch);
    const body = this.#config.compression === 'gzip' ? await gzip(json) : json;
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw abortError(signal);
      const outcome = await this.#post(body, signal);
      if (outcome.kind === 'accepted') return { accepted: true };
      if (outcome.kind === 'rejected') {
        this.#stats.rejectedRequests += 1;
        return { accepted: false, reason: outcome.reason };
      }
      result.retries += 1;
      this.#stats.retries += 1;
      const delay = backoffDelay(attempt, this.#config.retry.initial_backoff, this.#config.retry.max_backoff);
      // Every failure is logged at first, then only every 10th, so an outage of hours does not flood the log.
      if (attempt < 3 || attempt % 10 === 0) {
        this.#logger.warn('zipkin request failed, retrying', {
          reason: outcome.reason,
          attempt: attempt + 1,
          delayMs: Math.round(delay),
          spans: batch.length,
        });
      }
      await sleep(delay, signal);
    }
  }

  async #post(
    body: Buffer,
    signal: AbortSignal,
  ): Promise<{ kind: 'accepted' } | { kind: 'rejected' | 'transient'; reason: string }> {
    const timeout = AbortSignal.timeout(this.#config.request_timeout);
    const headers = new Headers(this.#config.headers);
    headers.set('content-type', 'application/json');
    if (this.#config.compression === 'gzip') headers.set('content-encoding', 'gzip');
    else headers.delete('content-encoding');
    this.#stats.requests += 1;
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.#url, {
        method: 'POST',
        headers,
        body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
        signal: AbortSignal.any([signal, timeout]),
      });
      // The body is read even on success: undici reuses a connection only once it is drained.
      text = await res.text();
    } catch (err) {
      if (signal.aborted) throw abortError(signal);
      if (timeout.aborted) {
        return { kind: 'transient', reason: `no response within ${this.#config.request_timeout}ms` };
      }
      return { kind: 'transient', reason: describeFetchError(err) };
    }
    this.#stats.bytesSent += body.byteLength;
    return classifyStatus(res.status, text);
  }

  async #probe(signal: AbortSignal): Promise<void> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        const res = await fetch(this.#healthUrl, {
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.#config.request_timeout)]),
          headers: new Headers(this.#config.headers),
        });
        await res.text();
        this.#logger.info('zipkin exporter reachable', {
          endpoint: this.#config.endpoint,
          status: res.status,
        });
        return;
      } catch (err) {
        if (signal.aborted) return;
        if (attempt === 0) {
          this.#logger.warn('zipkin not reachable yet; spans will wait and be retried', {
            endpoint: this.#config.endpoint,
            reason: describeFetchError(err),
          });
        }
      }
      try {
        await sleep(
          backoffDelay(attempt, this.#config.retry.initial_backoff, this.#config.retry.max_backoff),
          signal,
        );
      } catch {
        return;
      }
    }
  }
}

/** `[a,b,c]` from the span texts as they are: never parsed and re-serialised. */
export function joinSpans(spans: readonly string[]): Buffer {
  const parts: Buffer[] = [OPEN];
  spans.forEach((s, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(Buffer.from(s));
  });
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

/**
 * 400 (Zipkin could not read a span) and 413 (body too large) are about the data: bisect and
 * reject. Everything else is retried: 408/429/5xx are transient by definition, and 401, 403,
 * 404 and the like mean a wrong endpoint or credentials, which an operator fixes — rejecting
 * (dead-lettering) good spans for them would lose data that a fixed config would deliver.
 */
export function classifyStatus(
  status: number,
  body: string,
): { kind: 'accepted' } | { kind: 'rejected' | 'transient'; reason: string } {
  if (status >= 200 && status < 300) return { kind: 'accepted' };
  const message = body.trim().replace(/\s+/g, ' ').slice(0, MAX_REASON_CHARS);
  const reason = `HTTP ${status}${message === '' ? '' : `: ${message}`}`;
  if (status === 400 || status === 413) return { kind: 'rejected', reason };
  return { kind: 'transient', reason };
}

function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici wraps the socket error ("fetch failed"); its cause says what happened (ECONNREFUSED…).
  const cause: unknown = err.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code === undefined
      ? `${err.message}: ${cause.message}`
      : `${err.message}: ${code} ${cause.message}`;
  }
  return err.message;
}

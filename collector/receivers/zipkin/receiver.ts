// Zipkin v2 HTTP receiver: POST /api/v2/spans (JSON, optionally gzip), answered 202 only once the
// spans are in the durable queue. Any Zipkin-instrumented app, and the OTel Zipkin exporter, can point here.
import type { Context } from 'koa';
import { zipkinSpanProblem } from '../../processors/ecs/index.ts';
import type { CollectorMetrics } from '../../telemetry/metrics.ts';
import { BodyError, decodeContent, readLimited } from './body.ts';
import type { ZipkinReceiverConfig } from './config.ts';

export const SPANS_PATH = '/api/v2/spans';

/** Where validated spans go: resolves once they are durable. */
export interface SpanConsumer {
  /** `body` is the request's JSON array of spans, decompressed, exactly as received. */
  appendSpans(body: Buffer, spanCount: number): Promise<void>;
  isFull(): boolean;
}

export interface ZipkinReceiverDeps {
  consumer: SpanConsumer;
  metrics: CollectorMetrics;
  isQueueFullError(error: unknown): boolean;
}

function reject(
  ctx: Context,
  deps: ZipkinReceiverDeps,
  status: number,
  reason: string,
  message: string,
): void {
  deps.metrics.rejected.inc({ receiver: 'zipkin', reason });
  ctx.status = status;
  ctx.type = 'text/plain';
  ctx.body = message + '\n';
}

/** Validates a parsed body; returns the problem (naming the span index and field) or the span count. */
export function spansProblem(parsed: unknown, maxSpans: number): string | number {
  if (!Array.isArray(parsed)) return 'body must be a JSON array of Zipkin v2 spans';
  if (parsed.length > maxSpans) return `too many spans: ${parsed.length} > ${maxSpans}`;
  for (let i = 0; i < parsed.length; i++) {
    const problem = zipkinSpanProblem(parsed[i]);
    if (problem !== undefined) return `span[${i}]: ${problem}`;
  }
  return parsed.length;
}

export function zipkinReceiver(config: ZipkinReceiverConfig, deps: ZipkinReceiverDeps) {
  return async function handleSpans(ctx: Context): Promise<void> {
    if (deps.consumer.isFull()) {
      ctx.set('Retry-After', String(config.retry_after_seconds));
      return reject(ctx, deps, 503, 'queue_full', 'the collector queue is full; retry later');
    }
    const type = (ctx.get('content-type') || 'application/json').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      return reject(
        ctx,
        deps,
        415,
        'content_type',
        `Content-Type ${type} is not supported; send Zipkin v2 JSON (application/json)`,
      );
    }
    let body: Buffer;
    try {
      const raw = await readLimited(ctx.req, config.max_body_bytes);
      body = await decodeContent(
        raw,
        ctx.get('content-encoding') || undefined,
        config.max_decompressed_bytes,
      );
    } catch (error) {
      if (error instanceof BodyError)
        return reject(ctx, deps, error.status, `http_${error.status}`, error.message);
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return reject(ctx, deps, 400, 'json', `body is not valid JSON: ${(error as Error).message}`);
    }
    const checked = spansProblem(parsed, config.max_spans);
    if (typeof checked === 'string') {
      return reject(ctx, deps, checked.startsWith('too many') ? 413 : 400, 'invalid_span', checked);
    }
    try {
      if (checked > 0) await deps.consumer.appendSpans(body, checked);
    } catch (error) {
      if (deps.isQueueFullError(error)) {
        ctx.set('Retry-After', String(config.retry_after_seconds));
        return reject(ctx, deps, 503, 'queue_full', 'the collector queue is full; retry later');
      }
      throw error;
    }
    deps.metrics.received.inc({ receiver: 'zipkin', signal: 'spans' }, checked);
    ctx.status = 202;
    ctx.body = '';
  };
}

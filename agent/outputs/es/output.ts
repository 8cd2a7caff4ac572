// Fluent Bit's `es` output: one `_bulk` request per flush, outcome decided per item. Items that
// Elasticsearch has (created, or a 409 on `create`: a replay) or will never take (mapping errors)
// are remembered per chunk, so the engine's retry of that chunk re-sends only the rest.
import type { Client } from '@elastic/elasticsearch';
import { errors } from '@elastic/elasticsearch';
import {
  BULK_FILTER_PATH,
  classifyStatus,
  itemResult,
  responseErrorOf,
} from '../../../collector/exporters/elasticsearch/bulk.ts';
import type { BulkResponseBody } from '../../../collector/exporters/elasticsearch/bulk.ts';
import type { Logger } from '../../../common/log/logger.ts';
import type { Chunk, FlushResult, OutputFactory, OutputPlugin, PluginContext } from '../../engine/types.ts';
import type { RoutedInstance } from '../../config/types.ts';
import { createClient } from './client.ts';
import { esOptionsFromConfig } from './config.ts';
import type { EsOptions } from './config.ts';
import { BulkFormatter } from './format.ts';

/** Longest document text Trace_Error puts in one log line. */
const TRACE_SOURCE_LIMIT = 16_384;

function truncate(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) + '…' : s;
}

/** A whole request failed: what to log. Every such failure is a `retry`, as in Fluent Bit. */
export function describeRequestError(err: unknown): { type: string; status?: number; reason: string } {
  if (err instanceof errors.ResponseError) {
    const status = err.statusCode ?? 0;
    const { type, reason } = responseErrorOf(status, err.body, err.message);
    return { type, status, reason };
  }
  if (err instanceof errors.TimeoutError) return { type: 'timeout', reason: err.message };
  if (err instanceof errors.ConnectionError || err instanceof errors.NoLivingConnectionsError)
    return { type: 'connection_error', reason: err.message };
  return {
    type: err instanceof Error ? err.name : 'unexpected_error',
    reason: err instanceof Error ? err.message : String(err),
  };
}

/** Elasticsearch 8+ answers a `_type` in an action line with a 400 for the whole request. */
function refusesType(err: unknown): boolean {
  return (
    err instanceof errors.ResponseError &&
    err.statusCode === 400 &&
    describeRequestError(err).reason.includes('unknown parameter [_type]')
  );
}

export class EsOutput implements OutputPlugin {
  readonly #name: string;
  readonly #options: EsOptions;
  readonly #logger: Logger;
  readonly #formatter: BulkFormatter;
  readonly #client: Client;
  /** Per chunk, 1 for each event that needs no more sending. Weak: a dropped chunk is forgotten. */
  readonly #done = new WeakMap<Chunk, Uint8Array>();
  readonly #querystring: Record<string, string>;
  #permanentErrors = 0;
  #badIdWarnings = 0;

  constructor(instanceName: string, options: EsOptions, logger: Logger) {
    this.#name = instanceName;
    this.#options = options;
    this.#logger = logger;
    this.#formatter = new BulkFormatter(options, {
      badId: (source, reason) => {
        // One line per power of two: a stream of records without ids must not flood the log.
        const n = ++this.#badIdWarnings;
        if ((n & (n - 1)) === 0)
          this.#logger.warn(`es: ${source} value ${reason}; the document goes without _id`, {
            output: this.#name,
            occurrences: n,
          });
      },
    });
    this.#client = createClient(options);
    this.#querystring = { filter_path: BULK_FILTER_PATH };
    if (options.pipeline !== undefined) this.#querystring.pipeline = options.pipeline;
  }

  /** Documents Elasticsearch refused for good (mapping errors and other 4xx), logged and dropped. */
  get permanentErrors(): number {
    return this.#permanentErrors;
  }

  // Nothing to probe: `_bulk` is the only call, and a cluster that is down must not stop the agent.
  start(): Promise<void> {
    return Promise.resolve();
  }

  async flush(chunk: Chunk): Promise<FlushResult> {
    const done = this.#done.get(chunk);
    let { body, positions } = this.#formatter.encode(chunk, done);
    if (positions.length === 0) {
      this.#done.delete(chunk);
      return 'ok';
    }
    for (;;) {
      if (this.#options.traceOutput) this.#logger.info('es: bulk request', { output: this.#name, body });
      try {
        const response = await this.#client.transport.request<BulkResponseBody>(
          { method: 'POST', path: '/_bulk', querystring: this.#querystring, bulkBody: body },
          { maxRetries: 0 },
        );
        return this.#settle(chunk, positions, response, done);
      } catch (err) {
        if (this.#formatter.sendsType && refusesType(err)) {
          // Suppress_Type_Name Off (Fluent Bit's default) against Elasticsearch 8+: every request
          // would fail. Drop `_type` for good and send again at once.
          this.#formatter.dropTypeName();
          this.#logger.warn(
            'es: Elasticsearch refuses _type; sending without it (set Suppress_Type_Name On)',
            {
              output: this.#name,
            },
          );
          ({ body, positions } = this.#formatter.encode(chunk, done));
          continue;
        }
        const e = describeRequestError(err);
        this.#logger.warn('es: bulk request failed; will retry', {
          output: this.#name,
          tag: chunk.tag,
          records: positions.length,
          error: e.type,
          status: e.status,
          reason: e.reason,
          ...(this.#options.traceError && err instanceof errors.ResponseError
            ? { response: truncate(JSON.stringify(err.body) ?? '', TRACE_SOURCE_LIMIT) }
            : {}),
        });
        return 'retry';
      }
    }
  }

  async stop(): Promise<void> {
    await this.#client.close();
  }

  #settle(
    chunk: Chunk,
    positions: readonly number[],
    response: BulkResponseBody,
    previous: Uint8Array | undefined,
  ): FlushResult {
    const items = response.items;
    if (response.errors === false && items?.length === positions.length) {
      this.#done.delete(chunk);
      return 'ok';
    }
    if (items === undefined || items.length !== positions.length) {
      // Positions cannot be trusted: send everything pending again (ids make it harmless).
      this.#logger.warn('es: malformed bulk response; will retry', {
        output: this.#name,
        expected: positions.length,
        got: items?.length ?? -1,
      });
      return 'retry';
    }
    const done = previous ?? new Uint8Array(chunk.events.length);
    let retry = 0;
    let retryReason = '';
    let rejected = 0;
    let firstRejection: { status: number; type: string; reason: string } | undefined;
    for (let i = 0; i < positions.length; i++) {
      const position = positions[i] as number;
      const r = itemResult(items[i]);
      const status = r.status ?? 0;
      let outcome = classifyStatus(status);
      // A 409 means "already there" only for `create`; for update it is a concurrent change.
      if (outcome === 'duplicate' && this.#options.writeOperation !== 'create') outcome = 'retry';
      if (outcome === 'created' || outcome === 'duplicate') {
        done[position] = 1;
      } else if (outcome === 'retry') {
        retry++;
        retryReason ||= `${status} ${r.error?.type ?? ''}: ${r.error?.reason ?? ''}`;
      } else {
        done[position] = 1;
        rejected++;
        const rejection = { status, type: r.error?.type ?? `http_${status}`, reason: r.error?.reason ?? '' };
        firstRejection ??= rejection;
        if (this.#options.traceError)
          this.#logger.error('es: document rejected', {
            output: this.#name,
            tag: chunk.tag,
            ...rejection,
            document: truncate(this.#formatter.describe(chunk, position), TRACE_SOURCE_LIMIT),
          });
      }
    }
    if (rejected > 0) {
      this.#permanentErrors += rejected;
      this.#logger.error('es: documents rejected by Elasticsearch were dropped', {
        output: this.#name,
        tag: chunk.tag,
        dropped: rejected,
        status: firstRejection?.status,
        type: firstRejection?.type,
        reason: firstRejection?.reason,
      });
    }
    if (retry > 0) {
      this.#done.set(chunk, done);
      this.#logger.warn('es: some documents must be retried', {
        output: this.#name,
        tag: chunk.tag,
        retry,
        first: retryReason,
      });
      return 'retry';
    }
    this.#done.delete(chunk);
    return 'ok';
  }
}

export const createEsOutput: OutputFactory = (instance: RoutedInstance, ctx: PluginContext) =>
  new EsOutput(instance.instanceName, esOptionsFromConfig(instance.values), ctx.logger);

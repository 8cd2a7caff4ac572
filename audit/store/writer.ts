// `_bulk` `create` that resolves only when Elasticsearch has every document: created, or already
// there (409, a replay). Everything else is retried with backoff until it works or the caller
// aborts: an audit event is never dead-lettered after it got its place in the chain.
import type { Client } from '@elastic/elasticsearch';
import { errors } from '@elastic/elasticsearch';
import type { Logger } from '../../common/log/logger.ts';
import { backoffDelay, sleep, throwIfAborted } from './backoff.ts';

export interface WriteDoc {
  /** Target index or data stream, when not the one `createAll` was given. */
  readonly index?: string;
  readonly id: string;
  /** JSON, one line. */
  readonly source: string;
}

export type WriteOutcome = 'created' | 'duplicate';

export interface WriteContext {
  readonly signal: AbortSignal;
  /** Called between attempts: keeps the Kafka group session alive during long outages. */
  readonly heartbeat?: () => Promise<void>;
}

export interface WriterOptions {
  readonly initialBackoff: number;
  readonly maxBackoff: number;
  readonly maxBulkBytes?: number;
}

export interface WriterStats {
  bulkRequests: number;
  retries: number;
  created: number;
  duplicates: number;
}

interface Item {
  status?: number;
  error?: { type?: string; reason?: string };
}

function describe(err: unknown): string {
  if (err instanceof errors.ResponseError) return `HTTP ${err.statusCode ?? '?'}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

export class BulkWriter {
  readonly stats: WriterStats = { bulkRequests: 0, retries: 0, created: 0, duplicates: 0 };
  readonly #client: Client;
  readonly #logger: Logger;
  readonly #options: WriterOptions;

  constructor(client: Client, logger: Logger, options: WriterOptions) {
    this.#client = client;
    this.#logger = logger;
    this.#options = options;
  }

  /** Creates every document in `index`; the outcomes are in input order. */
  async createAll(index: string, docs: readonly WriteDoc[], ctx: WriteContext): Promise<WriteOutcome[]> {
    const outcomes = new Array<WriteOutcome | undefined>(docs.length);
    let pending = docs.map((_, i) => i);
    const maxBytes = this.#options.maxBulkBytes ?? 8 * 1024 * 1024;
    for (let attempt = 0; pending.length > 0; attempt++) {
      throwIfAborted(ctx.signal);
      if (attempt > 0) {
        this.stats.retries += pending.length;
        await ctx.heartbeat?.();
        await sleep(
          backoffDelay(attempt - 1, this.#options.initialBackoff, this.#options.maxBackoff),
          ctx.signal,
        );
      }
      const failed: number[] = [];
      for (let start = 0; start < pending.length;) {
        let body = '';
        let bytes = 0;
        const chunk: number[] = [];
        const prefix = '{"create":{"_index":' + JSON.stringify(index) + ',"_id":';
        const prefixOf = (d: WriteDoc) =>
          d.index === undefined ? prefix : '{"create":{"_index":' + JSON.stringify(d.index) + ',"_id":';
        for (; start < pending.length; start++) {
          const i = pending[start] as number;
          const d = docs[i] as WriteDoc;
          const line = prefixOf(d) + JSON.stringify(d.id) + '}}\n' + d.source + '\n';
          if (chunk.length > 0 && bytes + line.length > maxBytes) break;
          body += line;
          bytes += line.length;
          chunk.push(i);
        }
        try {
          this.stats.bulkRequests++;
          const res = (await this.#client.transport.request(
            {
              method: 'POST',
              path: '/_bulk',
              querystring: { filter_path: 'errors,items.*.status,items.*.error.type,items.*.error.reason' },
              bulkBody: body,
            },
            { signal: ctx.signal },
          )) as { errors?: boolean; items?: Record<string, Item>[] };
          const items = res.items ?? [];
          chunk.forEach((i, k) => {
            const entry = items[k];
            const item = entry === undefined ? undefined : Object.values(entry)[0];
            const status = item?.status ?? (res.errors === false ? 201 : 0);
            if (status >= 200 && status < 300) {
              outcomes[i] = 'created';
              this.stats.created++;
            } else if (status === 409) {
              outcomes[i] = 'duplicate';
              this.stats.duplicates++;
            } else {
              failed.push(i);
              if (status !== 429 && status < 500)
                this.#logger.error(
                  'Elasticsearch refused an audit document; retrying (the chain cannot skip it)',
                  {
                    index,
                    id: (docs[i] as WriteDoc).id,
                    status,
                    error: `${item?.error?.type ?? ''}: ${item?.error?.reason ?? ''}`,
                  },
                );
            }
          });
        } catch (err) {
          throwIfAborted(ctx.signal);
          this.#logger.warn('bulk request failed; retrying', {
            index,
            docs: chunk.length,
            error: describe(err),
          });
          failed.push(...chunk);
        }
      }
      pending = failed;
    }
    return outcomes as WriteOutcome[];
  }
}

// Shared by the tests and the benchmark: realistic documents and cleanup on the shared server.
import type { Client } from '@elastic/elasticsearch';
import type { BulkDocument } from './bulk.ts';

let seq = 0;

/** A ~400-byte ECS log document as the ecs processor produces it, already serialised. */
export function ecsDoc(index: string, runId: string, extra: Record<string, unknown> = {}): BulkDocument {
  const id = `${runId}-${++seq}`;
  const source = {
    '@timestamp': '2024-05-06T07:08:09.123456789Z',
    message: `GET /api/cart served in ${seq % 1000} ms`,
    log: { level: 'info' },
    service: { name: 'checkout' },
    trace: { id: '4bf92f3577b34da6a3ce929d0e0e4736' },
    span: { id: '00f067aa0ba902b7' },
    event: { id, dataset: 'checkout' },
    host: { name: 'node-1' },
    kubernetes: {
      namespace: 'shop',
      pod: { name: 'checkout-7d9f' },
      labels: { app: 'checkout', 'team.owner': 'x' },
    },
    ...extra,
  };
  return { index, id, source: JSON.stringify(source) };
}

/**
 * Removes a data stream as far as the server allows. A full Elasticsearch has
 * `DELETE /_data_stream`; the local integ-test server has not, and refuses to delete a write
 * index, so there the stream is rolled over and every backing index but the new, empty write
 * index is deleted.
 */
export async function removeDataStream(es: Client, name: string): Promise<void> {
  try {
    await es.indices.deleteDataStream({ name });
    return;
  } catch {
    // No data stream API here: fall through.
  }
  await es.indices.rollover({ alias: name }).catch(() => undefined);
  const rows = await es.cat
    .indices({ index: `.ds-${name}-*`, expand_wildcards: 'all', h: 'index', format: 'json' })
    .catch(() => []);
  const backing = rows.flatMap((r) => (r.index === undefined ? [] : [r.index])).sort();
  backing.pop();
  for (const index of backing) await es.indices.delete({ index }).catch(() => undefined);
}

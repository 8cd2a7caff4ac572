// Per-item outcomes Elasticsearch will not produce on demand (429s, 503s, malformed answers),
// from a small node:http stand-in that answers `_bulk` with scripted item statuses.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { chunkOf, esOutput, recordingLogger } from './test-helpers.ts';

interface Seen {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  actions: Record<string, { _id?: string; _index?: string }>[];
}

/** Each request takes the next script entry: per-item statuses, or a whole-response status. */
type Script = { items: number[] } | { status: number; body: unknown } | { raw: string };

let server: Server;
let port = 0;
let script: Script[] = [];
const seen: Seen[] = [];

function answer(statuses: number[]): unknown {
  return {
    errors: statuses.some((s) => s >= 300),
    items: statuses.map((status) => ({
      create:
        status < 300
          ? { status }
          : {
              status,
              error: {
                type: status === 429 ? 'es_rejected_execution_exception' : 'mapper_parsing_exception',
                reason: `status ${status}`,
              },
            },
    })),
  };
}

describe('es output per-item outcomes (scripted server)', () => {
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        const lines = body.split('\n').filter((l) => l !== '');
        seen.push({
          url: req.url ?? '',
          headers: req.headers,
          actions: lines.filter((_, i) => i % 2 === 0).map((l) => JSON.parse(l) as Seen['actions'][number]),
        });
        const next = script.shift() ?? { items: Array.from({ length: lines.length / 2 }, () => 201) };
        // The client refuses answers without this header (its product check).
        res.setHeader('x-elastic-product', 'Elasticsearch');
        res.setHeader('content-type', 'application/json');
        if ('raw' in next) {
          res.end(next.raw);
          return;
        }
        res.statusCode = 'status' in next ? next.status : 200;
        res.end(JSON.stringify('status' in next ? next.body : answer(next.items)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    script = [];
    seen.length = 0;
  });

  it('retries only the items that asked for it; rejected items are dropped and counted', async () => {
    const { logger, entries } = recordingLogger();
    const out = esOutput(
      { Port: port, Index: 'idx', Suppress_Type_Name: 'On', Path: '/proxy', Pipeline: 'p' },
      logger,
    );
    try {
      const chunk = chunkOf('t', [
        { 'event.id': 'a' },
        { 'event.id': 'b' },
        { 'event.id': 'c' },
        { 'event.id': 'd' },
      ]);
      script = [{ items: [201, 429, 400, 503] }, { items: [201, 409] }];
      assert.equal(await out.flush(chunk), 'retry');
      assert.equal(out.permanentErrors, 1);
      assert.equal(await out.flush(chunk), 'ok');
      assert.deepEqual(
        seen.map((s) => s.actions.map((a) => a.create?._id)),
        [
          ['a', 'b', 'c', 'd'],
          ['b', 'd'],
        ],
      );
      assert.match(seen[0]?.url ?? '', /^\/proxy\/_bulk\?/);
      assert.match(seen[0]?.url ?? '', /pipeline=p/);
      assert.match(seen[0]?.url ?? '', /filter_path=/);
      assert.ok(entries.some((e) => e.message.includes('dropped') && e.fields?.dropped === 1));
      // Settled: a later flush of another chunk starts from scratch.
      assert.equal(await out.flush(chunkOf('t', [{ x: 1 }])), 'ok');
      assert.equal(seen[2]?.actions.length, 1);
    } finally {
      await out.stop();
    }
  });

  it('a 409 is success on create, but a retry on update', async () => {
    const create = esOutput({ Port: port, Suppress_Type_Name: 'On' });
    const update = esOutput({
      Port: port,
      Suppress_Type_Name: 'On',
      Write_Operation: 'update',
      Generate_ID: 'On',
    });
    try {
      script = [{ items: [409] }];
      assert.equal(await create.flush(chunkOf('t', [{ 'event.id': 'a' }])), 'ok');
      script = [{ items: [409] }];
      assert.equal(await update.flush(chunkOf('t', [{ 'event.id': 'a' }])), 'retry');
    } finally {
      await create.stop();
      await update.stop();
    }
  });

  it('whole-request failures and malformed answers are retries', async () => {
    const out = esOutput({ Port: port, Suppress_Type_Name: 'On', HTTP_User: 'u', HTTP_Passwd: 'p' });
    try {
      const chunk = chunkOf('t', [{ a: 1 }, { a: 2 }]);
      script = [{ status: 429, body: { error: { type: 'too_many', reason: 'slow down' } } }];
      assert.equal(await out.flush(chunk), 'retry');
      script = [{ status: 401, body: { error: { type: 'security_exception', reason: 'no' } } }];
      assert.equal(await out.flush(chunk), 'retry');
      script = [{ items: [201] }];
      assert.equal(await out.flush(chunk), 'retry');
      script = [{ raw: 'not json' }];
      assert.equal(await out.flush(chunk), 'retry');
      assert.equal(await out.flush(chunk), 'ok');
      assert.equal(seen[0]?.headers.authorization, 'Basic ' + Buffer.from('u:p').toString('base64'));
    } finally {
      await out.stop();
    }
  });
});

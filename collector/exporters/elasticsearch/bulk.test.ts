import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors } from '@elastic/elasticsearch';
import { abortableSleep, backoffDelay, raceAbort, SinkAbortedError } from './backoff.ts';
import { classifyStatus, documentProblem, encodeBulk, itemResult, oneLineSource } from './bulk.ts';
import type { BulkDocument } from './bulk.ts';
import { deadLetterDocument, deadLetterId } from './dead-letter.ts';
import { classifyRequestError } from './sink.ts';

const doc = (id: string, source = '{"a":1}', index = 'logs-x-default'): BulkDocument => ({
  index,
  id,
  source,
});

function parseBody(body: string): unknown[] {
  assert.ok(body.endsWith('\n'), 'bulk bodies end with a newline');
  return body
    .slice(0, -1)
    .split('\n')
    .map((l) => JSON.parse(l) as unknown);
}

describe('encodeBulk', () => {
  it('writes create actions followed by the source verbatim', () => {
    const docs = [doc('1', '{"message":"héllo"}'), doc('2', '{"b":[1,2]}', 'traces-zipkin-default')];
    const enc = encodeBulk(docs, 0, 1 << 20, 1000);
    assert.equal(enc.end, 2);
    assert.equal(enc.bytes, Buffer.byteLength(enc.body));
    assert.equal(
      enc.body,
      '{"create":{"_index":"logs-x-default","_id":"1"}}\n{"message":"héllo"}\n' +
        '{"create":{"_index":"traces-zipkin-default","_id":"2"}}\n{"b":[1,2]}\n',
    );
  });

  it('JSON-escapes ids, so an id cannot inject an action', () => {
    const enc = encodeBulk([doc('a"}},{"delete":{"_id":"x\n')], 0, 1 << 20, 10);
    const lines = parseBody(enc.body);
    assert.equal(lines.length, 2);
    assert.deepEqual(lines[0], { create: { _index: 'logs-x-default', _id: 'a"}},{"delete":{"_id":"x\n' } });
  });

  it('splits by bytes and by documents, always taking at least one', () => {
    const docs = Array.from({ length: 10 }, (_, i) => doc(String(i), `{"pad":"${'x'.repeat(100)}"}`));
    const one = encodeBulk(docs, 0, 1 << 20, 1).bytes;
    const byBytes = encodeBulk(docs, 0, one * 3 + 5, 1000);
    assert.equal(byBytes.end, 3);
    assert.ok(byBytes.bytes <= one * 3 + 5);
    const byDocs = encodeBulk(docs, 2, 1 << 20, 4);
    assert.equal(byDocs.end, 6);
    assert.equal(parseBody(byDocs.body).length, 8);
    const tiny = encodeBulk(docs, 9, 10, 1000);
    assert.equal(tiny.end, 10, 'an oversized document goes alone');
    // Every document lands in exactly one chunk.
    let start = 0;
    let n = 0;
    while (start < docs.length) {
      const e = encodeBulk(docs, start, one * 4, 1000);
      n += e.end - start;
      start = e.end;
    }
    assert.equal(n, 10);
  });
});

describe('document screening', () => {
  it('finds documents that would break the request', () => {
    assert.equal(documentProblem(doc('x')), undefined);
    assert.equal(documentProblem(doc(''))?.type, 'invalid_id');
    assert.equal(documentProblem(doc('é'.repeat(300)))?.type, 'invalid_id');
    assert.equal(documentProblem(doc('a'.repeat(512))), undefined);
    assert.equal(documentProblem(doc('x', ''))?.type, 'invalid_source');
  });

  it('re-serialises pretty-printed JSON and refuses broken multi-line sources', () => {
    assert.equal(oneLineSource('{"a":1}'), '{"a":1}');
    assert.equal(oneLineSource('{\n  "a": 1\n}'), '{"a":1}');
    assert.equal(oneLineSource('{"a":\n'), undefined);
  });
});

describe('status classification', () => {
  it('maps item statuses', () => {
    assert.equal(classifyStatus(201), 'created');
    assert.equal(classifyStatus(200), 'created');
    assert.equal(classifyStatus(409), 'duplicate');
    for (const s of [429, 500, 502, 503, 504, 408]) assert.equal(classifyStatus(s), 'retry', String(s));
    for (const s of [400, 404, 403, 413, 0]) assert.equal(classifyStatus(s), 'reject', String(s));
    assert.deepEqual(itemResult({ create: { status: 201 } }), { status: 201 });
    assert.deepEqual(itemResult(undefined), {});
  });

  it('maps whole-request failures', () => {
    const response = (statusCode: number, body: unknown) =>
      new errors.ResponseError({
        body,
        statusCode,
        headers: {},
        warnings: null,
        meta: {} as never,
      });
    assert.equal(classifyRequestError(new errors.ConnectionError('refused')).action, 'retry');
    assert.equal(classifyRequestError(new errors.TimeoutError('slow')).type, 'timeout');
    assert.equal(
      classifyRequestError(response(429, { error: { type: 'es_rejected_execution_exception' } })).action,
      'retry',
    );
    assert.equal(classifyRequestError(response(503, 'unavailable')).action, 'retry');
    assert.equal(classifyRequestError(response(401, {})).action, 'retry');
    const tooBig = classifyRequestError(response(413, ''));
    assert.equal(tooBig.action, 'split');
    assert.equal(tooBig.type, 'http_413');
    const bad = classifyRequestError(
      response(400, { error: { type: 'illegal_argument_exception', reason: 'no' } }),
    );
    assert.deepEqual(bad, { action: 'split', type: 'illegal_argument_exception', reason: 'no', status: 400 });
    assert.equal(classifyRequestError(new Error('?')).action, 'retry');
  });
});

describe('backoff', () => {
  it('is full jitter under an exponentially growing, capped ceiling', () => {
    assert.equal(
      backoffDelay(1, 100, 30_000, () => 0.999999),
      99,
    );
    assert.equal(
      backoffDelay(4, 100, 30_000, () => 0.999999),
      799,
    );
    assert.equal(
      backoffDelay(50, 100, 30_000, () => 0.999999),
      29_999,
    );
    assert.equal(
      backoffDelay(3, 100, 30_000, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(2000, 100, 30_000, () => 0.5),
      15_000,
    );
  });

  it('sleeps abortably', async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(new Error('stop')), 20);
    await assert.rejects(
      abortableSleep(10_000, ac.signal),
      (e: unknown) => e instanceof SinkAbortedError && e.name === 'AbortError',
    );
    assert.ok(Date.now() - t0 < 2000);
    const ac2 = new AbortController();
    const never = new Promise<void>(() => undefined);
    setTimeout(() => ac2.abort(), 10);
    await assert.rejects(raceAbort(never, ac2.signal), { name: 'AbortError' });
    assert.equal(await raceAbort(Promise.resolve(7), new AbortController().signal), 7);
  });
});

describe('dead letters', () => {
  it('keep the original as a string with the reason, under a stable derived _id', () => {
    const original = doc('ev-1', '{"event":{"duration":"abc"}}', 'logs-svc-prod');
    const r = { doc: original, status: 400, type: 'document_parsing_exception', reason: 'failed to parse' };
    const dl = deadLetterDocument(r, 'logs-tributary.deadletter-default', 1 << 20);
    assert.equal(dl.index, 'logs-tributary.deadletter-default');
    assert.equal(dl.id, deadLetterId('logs-svc-prod', 'ev-1'));
    assert.equal(dl.id, deadLetterDocument(r, 'logs-tributary.deadletter-default', 1 << 20).id);
    assert.notEqual(dl.id, deadLetterId('logs-svc-dev', 'ev-1'));
    assert.ok(dl.id.length <= 512);
    const body = JSON.parse(dl.source) as Record<string, Record<string, unknown>>;
    assert.equal(body.event?.original, original.source);
    assert.equal(body.event?.id, 'ev-1');
    assert.deepEqual(body.error, { type: 'document_parsing_exception', message: 'failed to parse' });
    assert.deepEqual(body.data_stream, {
      type: 'logs',
      dataset: 'tributary.deadletter',
      namespace: 'default',
    });
    assert.deepEqual(body.tributary, { dead_letter: { index: 'logs-svc-prod', status: 400 } });
    assert.ok(Math.abs(Date.parse(String(body['@timestamp'])) - Date.now()) < 5000);
  });

  it('truncate an oversized original and say so', () => {
    const r = {
      doc: doc('x', `{"a":"${'y'.repeat(100)}"}`),
      status: 413,
      type: 'http_413',
      reason: 'too large',
    };
    const body = JSON.parse(deadLetterDocument(r, 'logs-a-b', 10).source) as {
      event: { original: string };
      tributary: { dead_letter: Record<string, unknown> };
    };
    assert.equal(body.event.original.length, 10);
    assert.equal(body.tributary.dead_letter.truncated, true);
    assert.equal(body.tributary.dead_letter.original_length, 108);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileAccessor, compileTemplate } from './accessor.ts';
import { EsConfigError, esOptionsFromConfig, normalisePath } from './config.ts';
import { BulkFormatter, eventIdOf, generatedId, replaceDots, stringifyRecord } from './format.ts';
import { compileStrftime } from './strftime.ts';
import { chunkOf, esInstance, esOptions } from './test-helpers.ts';

const T = 1_704_164_645; // 2024-01-02T03:04:05Z

function lines(body: string): unknown[] {
  assert.ok(body.endsWith('\n'));
  return body
    .slice(0, -1)
    .split('\n')
    .map((l) => JSON.parse(l) as unknown);
}

function formatter(keys: Record<string, string | number>, badIds: string[] = []): BulkFormatter {
  return new BulkFormatter(esOptions(keys), { badId: (s, r) => badIds.push(`${s}: ${r}`) });
}

describe('strftime', () => {
  it('formats UTC like C strftime', () => {
    assert.equal(compileStrftime('%Y.%m.%d')(T), '2024.01.02');
    assert.equal(compileStrftime('%Y-%m-%dT%H:%M:%S')(T), '2024-01-02T03:04:05');
    assert.equal(
      compileStrftime('%y %j %e %a %A %b %B %p %I %F %T %%')(T),
      '24 002  2 Tue Tuesday Jan January AM 03 2024-01-02 03:04:05 %',
    );
    assert.equal(compileStrftime('%G-W%V-%u')(T), '2024-W01-2');
    assert.equal(compileStrftime('%s %z %Z')(T), `${T} +0000 UTC`);
    assert.equal(compileStrftime('plain-%Q')(T), 'plain-%Q');
  });
});

describe('record accessor', () => {
  const record = { a: { b: ['x', { c: 'deep' }] }, 'k.dot': 'v', n: 5 };
  it('reads $key, subscripts and bare keys', () => {
    assert.equal(compileAccessor("$a['b'][1]['c']")(record), 'deep');
    assert.equal(compileAccessor('n')(record), 5);
    assert.equal(compileAccessor('$k.dot')(record), 'v');
    assert.equal(compileAccessor("$a['nope']")(record), undefined);
  });
  it('translates templates, $TAG, and missing keys to nothing', () => {
    assert.equal(compileTemplate("$a['b'][0]-logs-$TAG")(record, 'app.x'), 'x-logs-app.x');
    assert.equal(compileTemplate('missing')(record, 't'), '');
  });
});

describe('BulkFormatter', () => {
  it('adds the time key in front, milliseconds by default, and an action line per record', () => {
    const { body, positions } = formatter({ Index: 'app-logs' }).encode(chunkOf('t', [{ msg: 'a' }, {}]));
    assert.deepEqual(positions, [0, 1]);
    assert.deepEqual(lines(body), [
      { create: { _index: 'app-logs', _type: '_doc' } },
      { '@timestamp': '2024-01-02T03:04:05.123Z', msg: 'a' },
      { create: { _index: 'app-logs', _type: '_doc' } },
      { '@timestamp': '2024-01-02T03:04:05.123Z' },
    ]);
    assert.match(
      body,
      /^\{"create":\{"_index":"app-logs","_type":"_doc"\}\}\n\{"@timestamp":"2024-01-02T03:04:05.123Z","msg":"a"\}\n/,
    );
  });

  it('Time_Key, Time_Key_Format, Time_Key_Nanos, Include_Tag_Key, Suppress_Type_Name', () => {
    const f = formatter({
      Time_Key: 'ts',
      Time_Key_Format: '%Y%m%d %H%M%S',
      Time_Key_Nanos: 'On',
      Include_Tag_Key: 'On',
      Tag_Key: 'tag',
      Suppress_Type_Name: 'On',
    });
    const [action, doc] = lines(f.encode(chunkOf('app.web', [{ msg: 'a' }])).body);
    assert.deepEqual(action, { create: { _index: 'fluent-bit' } });
    assert.deepEqual(doc, { ts: '20240102 030405.123456789Z', tag: 'app.web', msg: 'a' });
  });

  it("keeps a record's own time and tag keys instead of writing them twice", () => {
    const f = formatter({ Include_Tag_Key: 'On', Suppress_Type_Name: 'On' });
    const [, doc] = lines(
      f.encode(chunkOf('t', [{ '@timestamp': '2020-01-01T00:00:00Z', '_flb-key': 'mine' }])).body,
    );
    assert.deepEqual(doc, { '@timestamp': '2020-01-01T00:00:00Z', '_flb-key': 'mine' });
  });

  it('Logstash_Format: prefix, separator, date format from the record time, prefix key', () => {
    const f = formatter({
      Logstash_Format: 'On',
      Logstash_Prefix: 'app',
      Logstash_Prefix_Separator: '_',
      Logstash_DateFormat: '%Y-%m',
      Logstash_Prefix_Key: "$kubernetes['namespace_name']",
      Suppress_Type_Name: 'On',
    });
    const out = lines(
      f.encode(chunkOf('t', [{ kubernetes: { namespace_name: 'shop' } }, { other: 1 }])).body,
    );
    assert.deepEqual(out[0], { create: { _index: 'shop_2024-01' } });
    assert.deepEqual(out[2], { create: { _index: 'app_2024-01' } });
  });

  it('Current_Time_Index and a strftime Index use the current time', () => {
    const today = compileStrftime('%Y.%m.%d')(Math.floor(Date.now() / 1000));
    const a = lines(
      formatter({ Logstash_Format: 'On', Current_Time_Index: 'On' }).encode(chunkOf('t', [{}])).body,
    );
    assert.deepEqual(a[0], { create: { _index: `logstash-${today}`, _type: '_doc' } });
    const b = lines(formatter({ Index: 'app-%Y.%m.%d' }).encode(chunkOf('t', [{}])).body);
    assert.deepEqual(b[0], { create: { _index: `app-${today}`, _type: '_doc' } });
  });

  it('_id: Id_Key first, then event.id (flat or nested), then Generate_ID', () => {
    const badIds: string[] = [];
    const f = formatter({ Id_Key: "$ids['mine']", Generate_ID: 'On', Suppress_Type_Name: 'On' }, badIds);
    const { body } = f.encode(
      chunkOf('t', [
        { ids: { mine: 'k1' }, 'event.id': 'e1' },
        { 'event.id': 'e2' },
        { event: { id: 'e3' } },
        { n: 1 },
        { 'event.id': 42 },
      ]),
    );
    const out = lines(body);
    const ids = [0, 2, 4, 6, 8].map((i) => (out[i] as { create: { _id?: string } }).create._id);
    assert.equal(ids[0], 'k1');
    assert.equal(ids[1], 'e2');
    assert.equal(ids[2], 'e3');
    assert.match(ids[3] ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(ids[3], generatedId(JSON.stringify(out[7])));
    assert.ok(badIds.includes('Id_Key: missing'));
    assert.ok(badIds.includes('event.id: not a string (number)'));
    // The same record gives the same generated id on a re-send.
    const again = lines(f.encode(chunkOf('t', [{ n: 1 }])).body)[0] as { create: { _id?: string } };
    assert.equal(again.create._id, ids[3]);
  });

  it('an over-long event.id is not used (it would fail the whole request)', () => {
    const badIds: string[] = [];
    const out = lines(
      formatter({ Suppress_Type_Name: 'On' }, badIds).encode(chunkOf('t', [{ 'event.id': 'x'.repeat(513) }]))
        .body,
    );
    assert.deepEqual(out[0], { create: { _index: 'fluent-bit' } });
    assert.deepEqual(badIds, ['event.id: longer than 512 bytes']);
  });

  it('Write_Operation index, update and upsert', () => {
    const rec = [{ 'event.id': 'e1', a: 1 }];
    const index = lines(
      formatter({ Write_Operation: 'index', Suppress_Type_Name: 'On' }).encode(chunkOf('t', rec)).body,
    );
    assert.deepEqual(index[0], { index: { _index: 'fluent-bit', _id: 'e1' } });
    const update = lines(
      formatter({ Write_Operation: 'update', Generate_ID: 'On', Suppress_Type_Name: 'On' }).encode(
        chunkOf('t', rec),
      ).body,
    );
    assert.deepEqual(update[0], { update: { _index: 'fluent-bit', _id: 'e1' } });
    assert.deepEqual(update[1], {
      doc: { '@timestamp': '2024-01-02T03:04:05.123Z', 'event.id': 'e1', a: 1 },
    });
    const upsert = lines(
      formatter({ Write_Operation: 'upsert', Id_Key: 'event.id', Suppress_Type_Name: 'On' }).encode(
        chunkOf('t', rec),
      ).body,
    );
    assert.deepEqual(upsert[0], { update: { _index: 'fluent-bit', _id: 'e1' } });
    assert.deepEqual(upsert[1], {
      doc_as_upsert: true,
      doc: { '@timestamp': '2024-01-02T03:04:05.123Z', 'event.id': 'e1', a: 1 },
    });
    assert.throws(() => esOptions({ Write_Operation: 'upsert' }), EsConfigError);
  });

  it('skips events already done, and can drop _type', () => {
    const f = formatter({});
    const done = new Uint8Array([1, 0, 1]);
    const { body, positions } = f.encode(chunkOf('t', [{ a: 0 }, { a: 1 }, { a: 2 }]), done);
    assert.deepEqual(positions, [1]);
    assert.equal((lines(body)[1] as { a: number }).a, 1);
    assert.equal(f.sendsType, true);
    f.dropTypeName();
    assert.deepEqual(lines(f.encode(chunkOf('t', [{}])).body)[0], { create: { _index: 'fluent-bit' } });
  });

  it('Replace_Dots rewrites keys deeply, copying only what changes', () => {
    const inner = { plain: 1 };
    const src = { 'a.b': { 'c.d': [{ 'e.f': 1 }] }, keep: inner };
    assert.deepEqual(replaceDots(src), { a_b: { c_d: [{ e_f: 1 }] }, keep: inner });
    assert.equal((replaceDots(src) as { keep: unknown }).keep, inner);
    assert.equal(replaceDots(inner), inner);
    const out = lines(
      formatter({ Replace_Dots: 'On', Suppress_Type_Name: 'On' }).encode(chunkOf('t', [{ 'k.8s': 1 }])).body,
    );
    assert.deepEqual(out[1], { '@timestamp': '2024-01-02T03:04:05.123Z', k_8s: 1 });
  });

  it('serialises bigints and binary from msgpack', () => {
    assert.equal(
      stringifyRecord({ n: 2n ** 64n, b: new Uint8Array([104, 105]) }),
      '{"n":"18446744073709551616","b":"hi"}',
    );
  });

  it('eventIdOf reads flat then nested', () => {
    assert.equal(eventIdOf({ 'event.id': 'a', event: { id: 'b' } }), 'a');
    assert.equal(eventIdOf({ event: { id: 'b' } }), 'b');
    assert.equal(eventIdOf({ event: 'x' }), undefined);
  });
});

describe('esOptionsFromConfig', () => {
  it('builds the URL, auth and TLS from Fluent Bit keys', () => {
    const o = esOptions({
      Host: 'es.example',
      Port: 9243,
      Path: 'proxy/es/',
      tls: 'On',
      'tls.verify': 'Off',
      HTTP_User: 'elastic',
      HTTP_Passwd: 'secret',
      Compress: 'gzip',
      Pipeline: 'p1',
    });
    assert.equal(o.url, 'https://es.example:9243/proxy/es');
    assert.deepEqual(o.auth, { username: 'elastic', password: 'secret' });
    assert.deepEqual(o.tls, { verify: false });
    assert.equal(o.compress, true);
    assert.equal(o.pipeline, 'p1');
    assert.equal(esOptions({ Host: '::1' }).url, 'http://[::1]:9200');
    assert.deepEqual(esOptions({ HTTP_API_Key: 'abc' }).auth, { apiKey: 'abc' });
    assert.equal(normalisePath('/'), '');
  });

  it('Cloud_ID replaces the host, Cloud_Auth gives the credentials', () => {
    const o = esOptionsFromConfig(esInstance({ Cloud_ID: 'name:abc', Cloud_Auth: 'u:p:w' }).values);
    assert.equal(o.url, undefined);
    assert.equal(o.cloudId, 'name:abc');
    assert.deepEqual(o.auth, { username: 'u', password: 'p:w' });
    assert.ok(o.tls !== undefined);
  });
});

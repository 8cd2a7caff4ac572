// The tail input inside a running engine: parsers, multiline docker and cri logs joined across
// partial lines, event ids, and the multiline commit boundary across a restart.
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  RecordingOutput,
  startEngine,
  startEngineIn,
  waitFor,
  withRecorder,
} from '../../engine/test-helpers.ts';

const conf = (inputKeys: string): string =>
  `[SERVICE]\n    Grace 0\n[INPUT]\n    Name tail\n    Path \${DIR}/*.log\n    Tag app\n    Read_from_Head on\n    DB \${DIR}/offsets.db\n${inputKeys}\n[OUTPUT]\n    Name null\n    Match app\n`;

const docker = (log: string, stream = 'stdout', time = '2026-11-23T01:40:03.534120Z'): string =>
  JSON.stringify({ log, stream, time }) + '\n';

describe('tail input plugin', () => {
  it('Parser json takes the record and its time; Path_Key added; event.id kept when the line has one', async (t) => {
    const rec = new RecordingOutput();
    const { engine, dir } = await startEngine(
      {
        'agent.conf': conf('    Parser docker\n    Path_Key file'),
        'a.log':
          docker('hello\n') + '{"log":"x","time":"2026-11-23T01:40:04.5Z","event.id":"mine"}\nnot json\n',
      },
      withRecorder(rec),
    );
    t.after(() => engine.stop(0));
    await waitFor('3 records', () => rec.records.length === 3);
    const events = rec.chunks.flatMap((c) => c.events);
    assert.equal(events[0]?.record['log'], 'hello\n');
    assert.equal(events[0]?.sec, Date.parse('2026-11-23T01:40:03Z') / 1000);
    assert.equal(events[0]?.nsec, 534_120_000);
    assert.equal(events[0]?.record['file'], join(dir, 'a.log'));
    assert.equal(events[1]?.record['event.id'], 'mine');
    // An unparsable line is kept whole under Key, as Fluent Bit does.
    assert.equal(events[2]?.record['log'], 'not json');
  });

  it('Threaded On parses in worker threads and gives the same records, in order', async (t) => {
    const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ i, msg: `m${i}`, ü: 'é' }));
    const rec = new RecordingOutput();
    const { engine } = await startEngine(
      {
        'agent.conf': conf('    Parser json\n    Threaded On\n    Offset_Key off'),
        'a.log': lines.join('\n') + '\nnot json\n',
      },
      withRecorder(rec),
    );
    t.after(() => engine.stop(0));
    await waitFor('all records', () => rec.records.length === 5001, 20_000);
    assert.ok(
      rec.chunks.some((c) => c.encoded !== undefined),
      'chunks came from the workers',
    );
    assert.deepEqual(
      rec.records.slice(0, 5000).map((r) => r['i']),
      lines.map((_, i) => i),
    );
    assert.equal(rec.records[1]?.['ü'], 'é');
    assert.equal(rec.records[1]?.['off'], Buffer.byteLength(lines[0] ?? '') + 1);
    assert.equal(rec.records[5000]?.['log'], 'not json');
    assert.match(String(rec.records[0]?.['event.id']), /-0$/);
  });

  it('multiline.parser docker joins partial lines per stream', async (t) => {
    const rec = new RecordingOutput();
    const { engine } = await startEngine(
      {
        'agent.conf': conf('    multiline.parser docker'),
        'a.log': docker('one, ') + docker('err ', 'stderr') + docker('two\n') + docker('done\n', 'stderr'),
      },
      withRecorder(rec),
    );
    t.after(() => engine.stop(0));
    await waitFor('2 records', () => rec.records.length === 2);
    assert.deepEqual(
      rec.records.map((r) => r['log']),
      ['one, two\n', 'err done\n'],
    );
    const ids = rec.records.map((r) => r['event.id']);
    assert.equal(new Set(ids).size, 2);
  });

  it('multiline.parser cri joins P fragments up to the F line', async (t) => {
    const rec = new RecordingOutput();
    const cri = (flag: string, text: string): string =>
      `2026-11-23T01:40:03.123456789Z stdout ${flag} ${text}\n`;
    const { engine } = await startEngine(
      {
        'agent.conf': conf('    multiline.parser cri'),
        'a.log': cri('P', 'part one ') + cri('P', 'part two ') + cri('F', 'end') + cri('F', 'single'),
      },
      withRecorder(rec),
    );
    t.after(() => engine.stop(0));
    await waitFor('2 records', () => rec.records.length === 2);
    assert.deepEqual(
      rec.records.map((r) => r['log']),
      ['part one part two end', 'single'],
    );
    assert.equal(rec.chunks[0]?.events[0]?.nsec, 123_456_789);
  });

  it('a pending multiline record is not committed: after a restart it is read again and completed', async () => {
    const rec = new RecordingOutput();
    const first = await startEngine(
      { 'agent.conf': conf('    multiline.parser docker'), 'a.log': docker('whole\n') + docker('half, ') },
      withRecorder(rec),
    );
    await waitFor('first record', () => rec.records.length === 1);
    await new Promise((r) => setTimeout(r, 1200)); // past the DB flush interval
    await first.engine.stop(0);

    appendFileSync(join(first.dir, 'a.log'), docker('rest\n'));
    const rec2 = new RecordingOutput();
    const again = await startEngineIn(first.dir, withRecorder(rec2));
    await waitFor('completed record', () => rec2.records.length === 1);
    await again.stop(0);
    assert.deepEqual(
      rec2.records.map((r) => r['log']),
      ['half, rest\n'],
    );
  });

  it('files that appear later are read from their start', async (t) => {
    const rec = new RecordingOutput();
    const { engine, dir } = await startEngine(
      { 'agent.conf': conf('    Refresh_Interval 1') },
      withRecorder(rec),
    );
    t.after(() => engine.stop(0));
    writeFileSync(join(dir, 'late.log'), 'first\nsecond\n');
    await waitFor('2 records', () => rec.records.length === 2, 5000);
    assert.equal(rec.records[0]?.['log'], 'first');
  });
});

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RecordingOutput, startEngine, startEngineIn, waitFor, withRecorder } from './test-helpers.ts';

const service = (extra = ''): string =>
  `[SERVICE]\n    scheduler.base 0.01\n    scheduler.cap 0.05\n    Grace 1\n${extra}\n`;

function tcpConfig(outputExtra = '', inputExtra = ''): string {
  return `${service()}[INPUT]\n    Name tcp\n    Port 0\n    Tag t\n${inputExtra}\n[OUTPUT]\n    Name null\n    Match t\n${outputExtra}\n`;
}

async function sendTcp(engineInputPort: number, text: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const s = connect(engineInputPort, '127.0.0.1', () => s.end(text, () => resolve()));
    s.on('error', reject);
  });
}

describe('engine', () => {
  it('routes tail lines to the matching output with event ids from file identity and offset', async (t) => {
    const rec = new RecordingOutput();
    const files = {
      'agent.conf': `${service()}[INPUT]\n    Name tail\n    Path \${DIR}/*.log\n    Tag app.*\n    Read_from_Head on\n    Refresh_Interval 1\n[OUTPUT]\n    Name null\n    Match app.*\n[OUTPUT]\n    Name stdout\n    Match other\n`,
    };
    const { engine, dir } = await startEngine({ ...files }, withRecorder(rec));
    t.after(() => engine.stop(0));
    writeFileSync(join(dir, 'a.log'), 'one\ntwo\n');
    await waitFor('two records', () => rec.records.length === 2);
    assert.deepEqual(
      rec.records.map((r) => r['log']),
      ['one', 'two'],
    );
    assert.equal(rec.chunks[0]?.tag, `app.${dir.slice(1).replaceAll('/', '.')}.a.log`);
    assert.match(String(rec.records[0]?.['event.id']), /-0$/);
    const m = engine.metrics();
    assert.equal(m.input['tail.0']?.records, 2);
    assert.equal(m.output['null.0']?.proc_records, 2);
    assert.equal(m.output['stdout.1']?.proc_records, 0);
  });

  it('commits a tail offset only after delivery: undelivered lines are read again after a restart', async () => {
    const conf = `${service()}[INPUT]\n    Name tail\n    Path \${DIR}/*.log\n    Tag app\n    Read_from_Head on\n    DB \${DIR}/offsets.db\n[OUTPUT]\n    Name null\n    Match app\n    Retry_Limit no_limits\n`;
    const down = new RecordingOutput();
    down.down = 'retry';
    const first = await startEngine({ 'agent.conf': conf, 'a.log': 'one\ntwo\n' }, withRecorder(down));
    await waitFor('lines read', () => first.engine.metrics().input['tail.0']?.records === 2);
    await first.engine.stop(0);

    const up = new RecordingOutput();
    const again = await startEngineIn(first.dir, withRecorder(up));
    await waitFor('re-read and delivered', () => up.records.length === 2);
    await again.stop(0);
    appendFileSync(join(first.dir, 'a.log'), 'three\n');
    const third = new RecordingOutput();
    const last = await startEngineIn(first.dir, withRecorder(third));
    await waitFor('only the new line', () => third.records.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    await last.stop(0);
    assert.deepEqual(
      third.records.map((r) => r['log']),
      ['three'],
    );
    assert.match(String(up.records[0]?.['event.id']), /-0$/);
  });

  it('retries a failed flush with backoff and counts retries', async (t) => {
    const rec = new RecordingOutput();
    rec.script.push('retry', 'retry');
    const { engine } = await startEngine({ 'agent.conf': tcpConfig('    Retry_Limit 5') }, withRecorder(rec));
    t.after(() => engine.stop(0));
    const port = await boundPort(engine);
    await sendTcp(port, '{"a":1}{"a":2}');
    await waitFor('delivery', () => rec.records.length === 2);
    const out = engine.metrics().output['null.0'];
    assert.equal(out?.retries, 2);
    assert.equal(out?.retried_records, 4);
    assert.equal(out?.proc_records, 2);
  });

  it('drops and counts a chunk once Retry_Limit is used up, and on an error result', async (t) => {
    const rec = new RecordingOutput();
    rec.script.push('retry', 'retry', 'error');
    const { engine } = await startEngine({ 'agent.conf': tcpConfig('    Retry_Limit 1') }, withRecorder(rec));
    t.after(() => engine.stop(0));
    const port = await boundPort(engine);
    await sendTcp(port, '{"a":1}');
    await waitFor('retries_failed', () => engine.metrics().output['null.0']?.retries_failed === 1);
    await sendTcp(port, '{"a":2}');
    await waitFor('error', () => engine.metrics().output['null.0']?.errors === 1);
    const out = engine.metrics().output['null.0'];
    assert.equal(out?.dropped_records, 2);
    assert.equal(rec.records.length, 0);
  });

  it('pauses an input past Mem_Buf_Limit and resumes it once outputs catch up', async (t) => {
    const rec = new RecordingOutput();
    rec.down = 'retry';
    const { engine } = await startEngine(
      { 'agent.conf': tcpConfig('    Retry_Limit no_limits', '    Mem_Buf_Limit 1k') },
      withRecorder(rec),
    );
    t.after(() => engine.stop(0));
    const port = await boundPort(engine);
    const line = JSON.stringify({ pad: 'x'.repeat(400) });
    const socket = connect(port, '127.0.0.1');
    for (let i = 0; i < 4; i++) {
      socket.write(line);
      await new Promise((r) => setTimeout(r, 60));
    }
    // 3 records (about 1.2 kB) pass 1k: the socket is no longer read while the output is down.
    assert.equal(engine.metrics().input['tcp.0']?.records, 3);
    rec.down = undefined;
    socket.end();
    await waitFor('all four delivered', () => rec.records.length === 4);
  });

  it('filesystem storage: chunks survive a restart and are delivered after it', async (t) => {
    const rec = new RecordingOutput();
    rec.down = 'retry';
    const conf = (dir: string): string =>
      `${service(`    storage.path ${dir}/buf\n    storage.sync full`)}[INPUT]\n    Name tcp\n    Port 0\n    Tag t\n    storage.type filesystem\n[OUTPUT]\n    Name null\n    Match t\n    Retry_Limit no_limits\n`;
    const first = await startEngine({ 'agent.conf': conf('${DIR}') }, withRecorder(rec));
    const port = await boundPort(first.engine);
    await sendTcp(port, '{"n":1}{"n":2}{"n":3}');
    await waitFor('records stored', () => first.engine.metrics().input['tcp.0']?.records === 3);
    await new Promise((r) => setTimeout(r, 100));
    await first.engine.stop(0);
    assert.equal(rec.records.length, 0);

    const rec2 = new RecordingOutput();
    writeFileSync(join(first.dir, 'agent.conf'), conf(first.dir));
    const second = await startEngine({ 'agent.conf': conf(first.dir) }, withRecorder(rec2));
    t.after(() => second.engine.stop(0));
    await waitFor('replayed', () => rec2.records.length === 3);
    assert.deepEqual(
      rec2.records.map((r) => r['n']),
      [1, 2, 3],
    );
  });

  it('filters run by Match; rewrite_tag re-emits audit events under a new tag, counted as its emitter', async (t) => {
    const rec = new RecordingOutput();
    const conf = `${service()}[INPUT]\n    Name tcp\n    Port 0\n    Tag app\n[FILTER]\n    Name grep\n    Match app\n    Exclude level debug\n[FILTER]\n    Name rewrite_tag\n    Match app\n    Rule $audit ^true$ audit.$service false\n[FILTER]\n    Name modify\n    Match audit.*\n    Add routed yes\n[OUTPUT]\n    Name null\n    Match *\n`;
    const { engine } = await startEngine({ 'agent.conf': conf }, withRecorder(rec));
    t.after(() => engine.stop(0));
    await sendTcp(
      await boundPort(engine),
      '{"level":"info","n":1}{"level":"debug","n":2}{"level":"info","audit":"true","service":"orders","n":3}',
    );
    await waitFor('two records', () => rec.records.length === 2);
    const byTag = Object.fromEntries(rec.chunks.map((c) => [c.tag, c.events.map((e) => e.record['n'])]));
    assert.deepEqual(byTag, { app: [1], 'audit.orders': [3] });
    assert.equal(rec.chunks.find((c) => c.tag === 'audit.orders')?.events[0]?.record['routed'], 'yes');
    const m = engine.metrics();
    assert.equal(m.filter['grep.0']?.drop_records, 1);
    assert.equal(m.filter['rewrite_tag.1']?.drop_records, 1);
    assert.equal(m.input['emitter_for_rewrite_tag.1']?.records, 1);
  });

  it('a chunk routed to no output completes at once', async (t) => {
    const rec = new RecordingOutput();
    const { engine, dir } = await startEngine(
      {
        'agent.conf': `${service()}[INPUT]\n    Name tail\n    Path \${DIR}/*.log\n    Tag nowhere\n    Read_from_Head on\n    DB \${DIR}/db\n[OUTPUT]\n    Name null\n    Match somewhere\n`,
      },
      withRecorder(rec),
    );
    appendFileSync(join(dir, 'x.log'), 'a\n');
    await waitFor('read', () => engine.metrics().input['tail.0']?.records === 1);
    t.after(() => engine.stop(0));
    assert.equal(rec.flushes, 0);
  });
});

async function boundPort(engine: { inputPorts(): number[] }): Promise<number> {
  const port = engine.inputPorts()[0];
  assert.ok(port !== undefined && port > 0);
  return port;
}

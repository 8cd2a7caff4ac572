// The forward input inside a running engine, fed by the real fluent-logger client: every mode,
// acks only once the output has the chunk, Tag / Tag_Prefix, shared key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENT_MODES, EventTime, ackedSender, endSender } from '../../../test/support/fluent-logger.ts';
import { ForwardTestClient } from '../../../test/support/forward-client.ts';
import { RecordingOutput, startEngine, waitFor, withRecorder } from '../../engine/test-helpers.ts';

const conf = (inputExtra = '', match = 'svc.*'): string =>
  `[SERVICE]\n    scheduler.base 0.01\n    scheduler.cap 0.05\n[INPUT]\n    Name forward\n    Listen 127.0.0.1\n    Port 0\n${inputExtra}\n[OUTPUT]\n    Name null\n    Match ${match}\n`;

describe('forward input', () => {
  for (const eventMode of EVENT_MODES) {
    it(`takes fluent-logger's ${eventMode} with acks, time to the nanosecond`, async (t) => {
      const rec = new RecordingOutput();
      const { engine } = await startEngine({ 'agent.conf': conf() }, withRecorder(rec));
      t.after(() => engine.stop(0));
      const sender = ackedSender('svc', engine.inputPorts()[0] ?? 0, eventMode);
      const errors: Error[] = [];
      sender.on('error', (e) => errors.push(e));
      for (let i = 0; i < 50; i++)
        sender.emit('web', { i, message: `m${i}` }, new EventTime(1_795_000_000, 1000 + i));
      await waitFor('50 records', () => rec.records.length === 50);
      await endSender(sender);
      assert.deepEqual(errors, []);
      const events = rec.chunks.flatMap((c) => c.events);
      assert.ok(rec.chunks.every((c) => c.tag === 'svc.web'));
      assert.deepEqual(
        events.map((e) => e.record['i']),
        Array.from({ length: 50 }, (_, i) => i),
      );
      assert.equal(events[7]?.sec, 1_795_000_000);
      assert.equal(events[7]?.nsec, 1007);
      assert.equal(engine.metrics().input['forward.0']?.records, 50);
    });
  }

  it('acks a frame only once the output has it', async (t) => {
    const rec = new RecordingOutput();
    rec.down = 'retry';
    const { engine } = await startEngine({ 'agent.conf': conf('', 'app') }, withRecorder(rec));
    t.after(() => engine.stop(0));
    const client = await ForwardTestClient.connect(engine.inputPorts()[0] ?? 0);
    t.after(() => client.close());
    let acked = false;
    const sent = client.send('app', [{ time: 1, record: { n: 1 } }]).then(() => {
      acked = true;
    });
    await waitFor('a retry', () => (engine.metrics().output['null.0']?.retries ?? 0) >= 2);
    assert.equal(acked, false);
    rec.down = undefined;
    await sent;
    assert.equal(rec.records.length, 1);
  });

  it('Tag replaces and Tag_Prefix prefixes the sender tag', async (t) => {
    const rec = new RecordingOutput();
    const { engine } = await startEngine(
      { 'agent.conf': conf('    Tag_Prefix node1.', 'node1.*') },
      withRecorder(rec),
    );
    t.after(() => engine.stop(0));
    const client = await ForwardTestClient.connect(engine.inputPorts()[0] ?? 0);
    t.after(() => client.close());
    await client.send('app', [{ time: 1, record: { n: 1 } }]);
    assert.equal(rec.chunks[0]?.tag, 'node1.app');

    const rec2 = new RecordingOutput();
    const second = await startEngine({ 'agent.conf': conf('    Tag fixed', 'fixed') }, withRecorder(rec2));
    t.after(() => second.engine.stop(0));
    const c2 = await ForwardTestClient.connect(second.engine.inputPorts()[0] ?? 0);
    t.after(() => c2.close());
    await c2.send('whatever', [{ time: 1, record: { n: 1 } }]);
    assert.equal(rec2.chunks[0]?.tag, 'fixed');
  });
});

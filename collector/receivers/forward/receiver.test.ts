// The Forward receiver inside a real collector (queue on disk), fed by the real fluent-logger client
// in each of its modes and by hand-built malformed frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { EVENT_MODES, EventTime, ackedSender, endSender } from '../../../test/support/fluent-logger.ts';
import { startTestCollector } from '../../../test/support/collector.ts';
import { createRecordingExporter } from '../../../test/support/recording-exporter.ts';
import { ForwardTestClient } from '../../../test/support/forward-client.ts';

for (const eventMode of EVENT_MODES) {
  test(`fluent-logger (${eventMode}, acks on) delivers every event, field for field, with sub-second time`, async (t) => {
    const recording = createRecordingExporter();
    const { forwardPort, stop, collector } = await startTestCollector({}, { exporters: [recording] });
    t.after(stop);
    const sender = ackedSender('svc', forwardPort, eventMode);
    const errors: Error[] = [];
    sender.on('error', (e: Error) => errors.push(e));
    const sent = Array.from({ length: 200 }, (_, i) => ({
      i,
      message: `hello ${i}`,
      level: 'info',
      nested: { ok: true, n: i },
    }));
    for (const record of sent)
      sender.emit('web', record, new EventTime(1_795_000_000, 123_000_000 + sent.indexOf(record)));
    await recording.waitForLogs(sent.length);
    await endSender(sender);
    assert.deepEqual(errors, []);
    assert.equal(recording.logs.length, sent.length);
    assert.ok(recording.tags.every((tag) => tag === 'svc.web'));
    const byI = new Map(recording.logs.map((d) => [(d as unknown as { i: number }).i, d]));
    for (const record of sent) {
      const doc = byI.get(record.i) as unknown as Record<string, unknown>;
      assert.equal(doc.message, record.message);
      assert.deepEqual(doc.nested, record.nested);
    }
    assert.equal(byI.get(7)?.['@timestamp'], '2026-11-18T11:06:40.123000007Z');
    assert.match(
      await collector.metrics.registry.metrics(),
      /tributary_collector_received_total\{receiver="forward",signal="logs"\} 200/,
    );
  });
}

test('a malformed frame closes only its own connection, is counted, and others keep flowing', async (t) => {
  const recording = createRecordingExporter();
  const { forwardPort, stop, collector } = await startTestCollector({}, { exporters: [recording] });
  t.after(stop);
  const good = await ForwardTestClient.connect(forwardPort);
  await good.send('app', [{ time: 1, record: { n: 1 } }]);

  const bad = connect({ port: forwardPort, host: '127.0.0.1' });
  await new Promise((resolve) => bad.once('connect', resolve));
  const closed = new Promise((resolve) => bad.once('close', resolve));
  bad.write(Buffer.from([0x93, 0xa3, 0x61, 0x70, 0x70, 0xc1])); // 0xc1 is never valid msgpack
  await closed;

  await good.send('app', [{ time: 2, record: { n: 2 } }]);
  await recording.waitForLogs(2);
  good.close();
  assert.match(
    await collector.metrics.registry.metrics(),
    /tributary_collector_forward_errors_total\{kind="malformed"\} 1/,
  );
});

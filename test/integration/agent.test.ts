// The agent end to end, against a real collector and the real Elasticsearch: the secure forward hop
// (acks, shared key with users, TLS, gzip), the agent SIGKILLed repeatedly while it tails a growing
// file, and the collector down for 60 s while the agent buffers on disk and is itself killed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../../common/log/logger.ts';
import { Agent } from '../../agent/agent.ts';
import { startAgentProcess, type AgentProcess } from '../support/agent-process.ts';
import { freePort } from '../support/collector-process.ts';
import { startTestCollector, type TestCollector } from '../support/collector.ts';
import { exactlyOnce, valueCounts, waitForCount } from '../support/es.ts';
import { createRecordingExporter, type RecordingExporter } from '../support/recording-exporter.ts';
import { sendNumberedEvents } from '../support/resending-sender.ts';
import { stackSession } from '../support/stack.ts';
import { selfSignedCertificate } from '../support/tls.ts';

const run = randomBytes(4).toString('hex');
const stack = stackSession(`logs-agent*${run}-*`);

test('tail -> agent -> collector over TLS with shared key, users, gzip and acks', async (t) => {
  const cert = selfSignedCertificate();
  t.after(() => rmSync(cert.dir, { recursive: true, force: true }));
  const recording = createRecordingExporter();
  const collector = await startTestCollector(
    {
      receivers: {
        forward: {
          shared_key: 's3cret',
          users: [{ username: 'node-1', password: 'pw' }],
          tls: { cert_file: cert.certFile, key_file: cert.keyFile },
        },
      },
    },
    { exporters: [recording] },
  );
  t.after(() => collector.stop());
  const dir = await mkdtemp(join(tmpdir(), 'tributary-agent-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ message: `line ${i}`, seq: i }));
  writeFileSync(join(dir, 'app.log'), lines.join('\n') + '\n');
  writeFileSync(
    join(dir, 'agent.conf'),
    `[SERVICE]
    Grace 2
[INPUT]
    Name tail
    Path ${dir}/*.log
    Tag kube.app
    Parser json
    Read_from_Head on
    DB ${dir}/offsets.db
[OUTPUT]
    Name forward
    Match kube.*
    Host 127.0.0.1
    Port ${collector.forwardPort}
    Require_ack_response on
    Compress gzip
    Shared_Key s3cret
    Username node-1
    Password pw
    Self_Hostname agent-node-1
    tls on
    tls.verify on
    tls.ca_file ${cert.certFile}
    tls.vhost localhost
`,
  );
  const agent = await Agent.start(join(dir, 'agent.conf'), { logger: silentLogger });
  t.after(() => agent.stop(0));
  await recording.waitForLogs(300);
  const seqs = recording.logs.map((d) => (d as unknown as { seq: number }).seq).sort((a, b) => a - b);
  assert.deepEqual(
    seqs,
    lines.map((_, i) => i),
  );
  assert.ok(recording.tags.every((tag) => tag === 'kube.app'));
  // The tail's event ids (file identity + offset) are what the collector keeps as event.id.
  const ids = new Set(recording.logs.map((d) => d.event.id));
  assert.equal(ids.size, 300);
  assert.match([...ids][0] ?? '', /^[0-9a-z.]+-[0-9a-z]+$/);
  assert.equal(agent.metrics().output['forward.0']?.proc_records, 300);
});

test('SIGKILL the agent 3 times while it tails a growing file: every line in Elasticsearch exactly once', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-agent-kill-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const service = `agentkill${run}`;
  const collector: TestCollector = await startTestCollector({
    exporters: {
      elasticsearch: { endpoints: [stack.endpoints.elasticsearchUrl], templates: { replicas: 0 } },
    },
  });
  t.after(() => collector.stop());
  const config = `[SERVICE]
    Grace 1
    HTTP_Server On
    HTTP_Listen 127.0.0.1
    HTTP_Port 0
    scheduler.base 0.2
    scheduler.cap 1
[INPUT]
    Name tail
    Path ${dir}/app.log
    Tag app
    Parser json
    Read_from_Head on
    Refresh_Interval 1
    DB ${dir}/offsets.db
[OUTPUT]
    Name forward
    Match app
    Port ${collector.forwardPort}
    Require_ack_response on
`;
  let agent: AgentProcess = await startAgentProcess(dir, config);
  t.after(() => agent.kill('SIGKILL'));
  const total = 60_000;
  const file = join(dir, 'app.log');
  writeFileSync(file, '');
  let kills = 0;
  for (let seq = 0; seq < total; seq += 1000) {
    let block = '';
    for (let i = seq; i < seq + 1000; i++)
      block += JSON.stringify({ message: `line ${i}`, service, seq: i }) + '\n';
    appendFileSync(file, block);
    await sleep(40);
    if (seq > 0 && seq % 15_000 === 0) {
      await agent.kill('SIGKILL');
      kills++;
      agent = await startAgentProcess(dir, config);
    }
  }
  assert.equal(kills, 3);
  const stream = `logs-${service}-default`;
  assert.equal(await waitForCount(stack.es, stream, { match_all: {} }, total, 120_000), total);
  const { missing, duplicated } = exactlyOnce(await valueCounts(stack.es, stream, 'seq'), total);
  assert.deepEqual({ missing, duplicated }, { missing: 0, duplicated: 0 });
  const proc = (await agent.metrics()).output['forward.0']?.proc_records ?? 0;
  t.diagnostic(`the last agent delivered ${proc} records; the kills made the rest be read again`);
  assert.equal(await agent.kill('SIGTERM'), 0, 'a clean stop after the kills');
});

test('collector down 60 s with filesystem storage: the agent acks, buffers on disk across its own SIGKILL, then drains', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-agent-outage-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const collectorPort = await freePort();
  const recordings: RecordingExporter[] = [createRecordingExporter()];
  let collector: TestCollector | undefined = await startTestCollector(
    { receivers: { forward: { port: collectorPort } } },
    { exporters: [recordings[0] as RecordingExporter] },
  );
  t.after(() => collector?.stop());
  const agentPort = await freePort();
  const config = `[SERVICE]
    Grace 1
    HTTP_Server On
    HTTP_Listen 127.0.0.1
    HTTP_Port 0
    storage.path ${dir}/buffer
    storage.sync full
    scheduler.base 1
    scheduler.cap 3
[INPUT]
    Name forward
    Listen 127.0.0.1
    Port ${agentPort}
    storage.type filesystem
[OUTPUT]
    Name forward
    Match *
    Port ${collectorPort}
    Require_ack_response on
`;
  let agent: AgentProcess = await startAgentProcess(dir, config);
  t.after(() => agent.kill('SIGKILL'));
  const total = 30_000;
  const seen = (): Set<number> =>
    new Set(recordings.flatMap((r) => r.logs.map((d) => (d as unknown as { seq: number }).seq)));

  // First third with the collector up.
  await sendNumberedEvents({
    port: () => agentPort,
    tag: 'app.outage',
    total: 10_000,
    perFrame: 500,
    window: 4,
    record: (seq) => ({ message: `event ${seq}`, seq }),
  });
  await (recordings[0] as RecordingExporter).waitForLogs(10_000);

  // Collector down for 60 s. The agent keeps acking its senders (the events are on its disk).
  await collector.stop();
  collector = undefined;
  const outageStart = Date.now();
  await sendNumberedEvents({
    port: () => agentPort,
    tag: 'app.outage',
    total: 20_000,
    perFrame: 500,
    window: 4,
    record: (seq) => ({ message: `event ${seq + 10_000}`, seq: seq + 10_000 }),
  });
  const during = await agent.metrics();
  assert.equal(during.input['forward.0']?.records, 30_000, 'acked while the collector is down');
  assert.ok((during.output['forward.0']?.retries ?? 0) > 0);
  // The agent dies while holding 20k events only on its disk.
  await agent.kill('SIGKILL');
  agent = await startAgentProcess(dir, config);
  await sleep(Math.max(0, 60_000 - (Date.now() - outageStart)));

  const back = createRecordingExporter();
  recordings.push(back);
  collector = await startTestCollector(
    { receivers: { forward: { port: collectorPort } } },
    { exporters: [back] },
  );
  const deadline = Date.now() + 60_000;
  while (seen().size < total && Date.now() < deadline) await sleep(250);
  const got = seen();
  const missing = Array.from({ length: total }, (_, i) => i).filter((i) => !got.has(i));
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} events missing`);
  t.diagnostic(`drained ${back.logs.length} events after the outage`);
  assert.equal(await agent.kill('SIGTERM'), 0);
});

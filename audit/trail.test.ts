// Kafka -> audit trail in Elasticsearch, then tampering with it: each kind of tampering is reported
// by verify with its kind and position. Real Kafka and Elasticsearch (tributary stack).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../common/log/logger.ts';
import { chainOf } from './chain/hash.ts';
import type { Json } from './chain/hash.ts';
import { loadSigningKeys } from './chain/keys.ts';
import { AuditService } from './service.ts';
import { allDocs, auditEvent, countDocs, startTestRun, waitFor } from './testing/support.ts';
import type { TestRun } from './testing/support.ts';
import { verifyTrail } from './verify/verify.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './testing/cli.ts';

const PER_PARTITION = 60;
const logger = createLogger({ level: 'warn', component: 'audit-test' });

describe('audit trail (data streams) against the real Kafka and Elasticsearch', () => {
  let run: TestRun;
  let service: AuditService | undefined;

  before(async () => {
    run = await startTestRun({ partitions: 4, dataStreams: true });
  });
  after(async () => {
    await service?.shutdown();
    await run.cleanup();
  });

  it('indexes every event once, chained per partition, with digests, and verify passes', async () => {
    service = await AuditService.start(run.config({ chain: { digest_every_events: 25 } }), {
      logger,
      defaultMetrics: false,
    });
    const messages = [];
    for (let p = 0; p < 4; p++)
      for (let i = 0; i < PER_PARTITION; i++)
        messages.push({ partition: p, value: JSON.stringify(auditEvent()) });
    await run.produce(messages);
    await waitFor('all events indexed', async () =>
      (await countDocs(run.es, run.streams.events, run.topic)) >= 4 * PER_PARTITION ? true : undefined,
    );
    const docs = await allDocs(run.es, run.streams.events, run.topic);
    assert.equal(docs.length, 4 * PER_PARTITION);
    assert.ok(
      docs.every((d) => d.index.startsWith(`.ds-${run.streams.events}-`)),
      'written into the data stream',
    );
    for (let p = 0; p < 4; p++) {
      const chain = docs.filter((d) => chainOf(d.source)?.partition === p).map((d) => chainOf(d.source));
      assert.deepEqual(
        chain.map((c) => c?.seq),
        Array.from({ length: PER_PARTITION }, (_, i) => i + 1),
      );
      assert.ok(chain.every((c, i) => i === 0 || c?.prev === chain[i - 1]?.hash));
      assert.equal(chain[0]?.prev, '0'.repeat(64));
    }
    const d0 = docs[0];
    assert.equal(d0?.id, `${run.topic}-0-0`);
    assert.deepEqual(d0?.source['data_stream'], { type: 'logs', dataset: 'audit', namespace: run.namespace });
    await waitFor('digests', async () =>
      (await countDocs(run.es, run.streams.digests, run.topic)) >= 4 ? true : undefined,
    );
    const report = await verifyTrail(run.es, run.streams, {
      topic: run.topic,
      publicKey: loadSigningKeys({ public_key_file: run.publicKeyFile }).publicKey,
    });
    assert.deepEqual(report.findings, []);
    assert.equal(report.events, 4 * PER_PARTITION);
    assert.ok(report.digests >= 4);
    assert.equal(report.ok, true);
    const config = join(run.dir, 'verify.yaml');
    writeFileSync(config, run.configText());
    const cli = runCli(['verify', '-c', config]);
    assert.equal(cli.status, 0, cli.stdout + cli.stderr);
    assert.match(cli.stdout, new RegExp(`verified: ${4 * PER_PARTITION} events`));
  });

  it('reports an edited field, a deleted event, swapped seqs and an altered digest, each with kind and position', async () => {
    await service?.shutdown();
    service = undefined;
    const docs = await allDocs(run.es, run.streams.events, run.topic);
    const at = (p: number, seq: number) => {
      const d = docs.find((x) => chainOf(x.source)?.partition === p && chainOf(x.source)?.seq === seq);
      assert.ok(d, `doc p${p} seq${seq}`);
      return d;
    };
    // partition 0: edit one field of seq 10
    const e = at(0, 10);
    await run.es.update({ index: e.index, id: e.id, doc: { event: { outcome: 'failure' } }, refresh: true });
    // partition 1: delete seq 20
    const del = at(1, 20);
    await run.es.delete({ index: del.index, id: del.id, refresh: true });
    // partition 2: swap the seq of 30 and 31
    const a = at(2, 30);
    const b = at(2, 31);
    const chainA = { ...chainOf(a.source) };
    const chainB = { ...chainOf(b.source) };
    await run.es.update({
      index: a.index,
      id: a.id,
      doc: { audit: { chain: { ...chainA, seq: 31 } } },
      refresh: true,
    });
    await run.es.update({
      index: b.index,
      id: b.id,
      doc: { audit: { chain: { ...chainB, seq: 30 } } },
      refresh: true,
    });
    // partition 3: alter a digest's last hash
    const digests = await allDocs(run.es, run.streams.digests, run.topic);
    const dg = digests.find(
      (d) => (d.source['audit'] as { digest: { partition: number } }).digest.partition === 3,
    );
    assert.ok(dg);
    const digest = (dg.source['audit'] as { digest: Json }).digest;
    await run.es.update({
      index: dg.index,
      id: dg.id,
      doc: { audit: { digest: { ...digest, last_hash: 'f'.repeat(64) } } },
      refresh: true,
    });

    const publicKey = loadSigningKeys({ public_key_file: run.publicKeyFile }).publicKey;
    const verify = (partition: number) =>
      verifyTrail(run.es, run.streams, { topic: run.topic, partition, publicKey });
    const r0 = await verify(0);
    assert.deepEqual(
      r0.findings.map((f) => [f.kind, f.seq]),
      [['edited', 10]],
    );
    assert.equal(r0.first?.id, e.id);
    const r1 = await verify(1);
    assert.deepEqual(
      r1.findings.map((f) => [f.kind, f.seq, f.toSeq]),
      [['missing', 20, 20]],
    );
    const r2 = await verify(2);
    assert.deepEqual(
      r2.findings.map((f) => f.kind),
      ['reordered'],
    );
    assert.equal(r2.first?.seq, 30);
    const r3 = await verify(3);
    assert.deepEqual(
      r3.findings.map((f) => f.kind),
      ['forged-digest'],
    );
    assert.equal(r3.first?.id, dg.id);
    const all = await verifyTrail(run.es, run.streams, { topic: run.topic, publicKey });
    assert.equal(all.ok, false);
    assert.deepEqual(all.first, r0.first);
    const config = join(run.dir, 'verify.yaml');
    const cli = runCli(['verify', '-c', config, '--partition', '1']);
    assert.equal(cli.status, 1);
    assert.match(cli.stdout, /FAILED: 1 finding\(s\); first broken link: missing at partition 1 seq 20/);
    // A range that avoids the edit verifies.
    assert.equal(
      (
        await verifyTrail(run.es, run.streams, {
          topic: run.topic,
          partition: 0,
          from: 11,
          to: 40,
          publicKey,
        })
      ).ok,
      true,
    );
  });
});

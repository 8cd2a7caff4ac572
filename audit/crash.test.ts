// Faults: the service SIGKILLed mid-stream and restarted; two instances sharing the partitions and
// one of them stopped. Every event must end up indexed exactly once and every chain must verify.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { chainOf } from './chain/hash.ts';
import { loadSigningKeys } from './chain/keys.ts';
import { allDocs, auditEvent, countDocs, startTestRun, waitFor } from './testing/support.ts';
import type { TestRun } from './testing/support.ts';
import { startAuditProcess } from './testing/process.ts';
import type { AuditProcess } from './testing/process.ts';
import { verifyTrail } from './verify/verify.ts';

async function assertExactlyOnce(run: TestRun, expected: number): Promise<void> {
  await waitFor(
    `${expected} events indexed`,
    async () => ((await countDocs(run.es, run.streams.events)) >= expected ? true : undefined),
    90_000,
  );
  await sleep(500);
  const docs = await allDocs(run.es, run.streams.events);
  assert.equal(docs.length, expected, 'no duplicates');
  const ids = new Set(docs.map((d) => (d.source['event'] as { id: string }).id));
  assert.equal(ids.size, expected, 'every event.id once');
  const report = await verifyTrail(run.es, run.streams, {
    topic: run.topic,
    publicKey: loadSigningKeys({ public_key_file: run.publicKeyFile }).publicKey,
  });
  assert.deepEqual(report.findings, []);
  assert.equal(report.events, expected);
  const perPartition = new Map<number, number[]>();
  for (const d of docs) {
    const c = chainOf(d.source);
    assert.ok(c?.seq !== undefined);
    perPartition.set(c.partition, [...(perPartition.get(c.partition) ?? []), c.seq]);
  }
  for (const seqs of perPartition.values())
    assert.deepEqual(
      seqs,
      Array.from({ length: seqs.length }, (_, i) => i + 1),
    );
}

describe('audit service as a process: crashes and rebalances', () => {
  let run: TestRun;
  const procs: AuditProcess[] = [];

  before(async () => {
    run = await startTestRun({ partitions: 4 });
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) await p.kill('SIGKILL');
  });
  after(async () => {
    await run.cleanup();
  });

  it('loses and duplicates nothing when SIGKILLed mid-stream and restarted', async () => {
    const total = 20_000;
    const messages = Array.from({ length: total }, (_, i) => ({
      partition: i % 4,
      value: JSON.stringify(auditEvent()),
    }));
    await run.produce(messages);
    const config = run.configText({
      chain: { digest_every_events: 500 },
      kafka: { group_id: `crash-${run.id}` },
      service: { log_level: 'info' },
    });
    const first = await startAuditProcess(run.dir, 'crash-1', config);
    procs.push(first);
    await waitFor('some events indexed', async () =>
      (await countDocs(run.es, run.streams.events)) >= 2000 ? true : undefined,
    );
    await first.kill('SIGKILL');
    const indexedAtKill = await countDocs(run.es, run.streams.events);
    assert.ok(indexedAtKill < total, `killed mid-stream (${indexedAtKill} of ${total} indexed)`);
    const second = await startAuditProcess(run.dir, 'crash-2', config);
    procs.push(second);
    await assertExactlyOnce(run, total);
  });

  it('shares partitions between two instances and loses nothing when one stops', async () => {
    const before = await countDocs(run.es, run.streams.events);
    const config = run.configText({
      kafka: { group_id: `crash-${run.id}`, partitions_concurrently: 2 },
      service: { log_level: 'info' },
    });
    const a = await startAuditProcess(run.dir, 'pair-a', config);
    procs.push(a);
    const b = await startAuditProcess(run.dir, 'pair-b', config);
    procs.push(b);
    let produced = 0;
    const producing = (async () => {
      for (let round = 0; round < 20; round++) {
        const batch = Array.from({ length: 400 }, (_, i) => ({
          partition: i % 4,
          value: JSON.stringify(auditEvent()),
        }));
        await run.produce(batch);
        produced += batch.length;
        await sleep(100);
      }
    })();
    await waitFor('both instances working', async () =>
      (await countDocs(run.es, run.streams.events)) >= before + 2000 ? true : undefined,
    );
    assert.equal(await a.kill('SIGTERM'), 0, 'graceful stop exits 0');
    await producing;
    await assertExactlyOnce(run, before + produced);
    assert.match(b.log() + a.log(), /partition state recovered/);
    if (process.env['AUDIT_TEST_DEBUG'] !== undefined) console.log(a.log(), '\n----\n', b.log());
  });
});

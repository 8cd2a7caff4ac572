// `npm start` runs `tributary demo`: the README's first command. Run it for a while and check that
// what it tells the user to look at is really there: a trace spanning both example services in
// Zipkin, that trace's logs in Elasticsearch, and an audit trail that verifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { waitForCount } from '../support/es.ts';
import { ensureStack } from '../support/stack.ts';

const CLI = join(import.meta.dirname, '..', '..', 'cli', 'bin', 'tributary.js');
const run = promisify(execFile);

test('tributary demo runs the whole pipeline and what it points at is there', async () => {
  const stack = await ensureStack();
  const { stdout } = await run(process.execPath, [CLI, 'demo', '--seconds', '30', '--rate', '10'], {
    timeout: 180_000,
  });
  const sent = /sent (\d+) requests \((\d+) failed\)/.exec(stdout);
  assert.ok(sent, stdout);
  assert.ok(Number(sent[1]) > 100, stdout);
  assert.equal(sent[2], '0');

  const traceId = /traces\/([0-9a-f]{32})/.exec(stdout)?.[1];
  assert.ok(traceId, stdout);
  const spans = (await (await fetch(`${stack.zipkinUrl}/api/v2/trace/${traceId}`)).json()) as {
    localEndpoint: { serviceName: string };
  }[];
  assert.deepEqual([...new Set(spans.map((s) => s.localEndpoint.serviceName))].sort(), [
    'inventory',
    'orders',
  ]);

  const es = new Client({ node: stack.elasticsearchUrl });
  try {
    assert.ok((await waitForCount(es, 'logs-*', { term: { 'trace.id': traceId } }, 2, 30_000)) >= 2);
  } finally {
    await es.close();
  }

  const config = /verify -c (\S+audit\.yaml)/.exec(stdout)?.[1];
  assert.ok(config, stdout);
  const verify = await run(process.execPath, [CLI, 'audit', 'verify', '-c', config]);
  assert.match(verify.stdout, /no findings/);
  assert.match(verify.stdout, /[1-9]\d* digests/);
});

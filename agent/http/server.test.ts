import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { zeroOutputCounters } from '../engine/types.ts';
import type { InputCounters, FilterCounters, OutputCounters } from '../engine/types.ts';
import { MonitoringServer } from './server.ts';
import type { MonitoringServerOptions } from './server.ts';

function output(over: Partial<OutputCounters> = {}): OutputCounters {
  return { ...zeroOutputCounters(), ...over };
}

/** A mutable stand-in for the engine's live counters. */
function fakeEngine() {
  const input: Record<string, InputCounters> = { 'tail.0': { records: 10, bytes: 1000 } };
  const filter: Record<string, FilterCounters> = { 'grep.0': { drop_records: 2, add_records: 0 } };
  const out: Record<string, OutputCounters> = {
    'es.0': output({ proc_records: 8, proc_bytes: 800, retries: 1, retried_records: 3 }),
    'my "alias"': output(),
  };
  return { snapshot: { input, filter, output: out }, input, filter, output: out };
}

async function withServer(
  opts: Partial<MonitoringServerOptions>,
  body: (ctx: { url: string; engine: ReturnType<typeof fakeEngine> }) => Promise<void>,
): Promise<void> {
  const engine = fakeEngine();
  const server = new MonitoringServer({
    listen: '127.0.0.1',
    port: 0,
    version: '3.2.1',
    startedAt: Date.now() - (2 * 86_400 + 1 * 3_600 + 5 * 60 + 7) * 1000,
    metrics: () => engine.snapshot,
    ...opts,
  });
  const { port } = await server.start();
  assert.ok(port > 0);
  try {
    await body({ url: `http://127.0.0.1:${port}`, engine });
  } finally {
    await server.stop();
  }
}

describe('MonitoringServer', () => {
  it('GET / has Fluent Bit build information', async () => {
    await withServer({}, async ({ url }) => {
      const res = await fetch(url + '/');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
      const body = (await res.json()) as Record<string, Record<string, unknown>>;
      assert.equal(body['fluent-bit']?.version, '3.2.1');
      assert.equal(body['fluent-bit']?.edition, 'Community');
      assert.ok(Array.isArray(body['fluent-bit']?.flags));
      assert.ok((body['fluent-bit']?.flags as string[]).includes('FLB_HAVE_METRICS'));
      assert.equal(body.tributary?.component, 'agent');
    });
  });

  it('GET /api/v1/uptime uses Fluent Bit wording', async () => {
    await withServer({}, async ({ url }) => {
      const body = (await (await fetch(url + '/api/v1/uptime')).json()) as Record<string, unknown>;
      assert.equal(body.uptime_sec, 2 * 86_400 + 3_600 + 5 * 60 + 7);
      assert.equal(body.uptime_hr, 'Fluent Bit has been running:  2 days, 1 hour, 5 minutes and 7 seconds');
      assert.deepEqual(Object.keys(body), ['uptime_sec', 'uptime_hr']);
    });
  });

  it('GET /api/v1/metrics has the JSON shape, read live', async () => {
    await withServer({}, async ({ url, engine }) => {
      const first = await (await fetch(url + '/api/v1/metrics')).json();
      assert.deepEqual(first, {
        input: { 'tail.0': { records: 10, bytes: 1000 } },
        filter: { 'grep.0': { drop_records: 2, add_records: 0 } },
        output: {
          'es.0': {
            proc_records: 8,
            proc_bytes: 800,
            errors: 0,
            retries: 1,
            retries_failed: 0,
            dropped_records: 0,
            retried_records: 3,
          },
          'my "alias"': {
            proc_records: 0,
            proc_bytes: 0,
            errors: 0,
            retries: 0,
            retries_failed: 0,
            dropped_records: 0,
            retried_records: 0,
          },
        },
      });
      (engine.input['tail.0'] as InputCounters).records = 25;
      engine.output['forward.1'] = output({ proc_records: 4 });
      const second = (await (await fetch(url + '/api/v2/metrics')).json()) as {
        input: Record<string, InputCounters>;
        output: Record<string, OutputCounters>;
      };
      assert.equal(second.input['tail.0']?.records, 25);
      assert.equal(second.output['forward.1']?.proc_records, 4);
    });
  });

  it('GET /api/v1/metrics/prometheus has Fluent Bit names, HELP/TYPE and live values', async () => {
    await withServer(
      { extraPrometheus: () => '# TYPE tributary_extra gauge\ntributary_extra 1' },
      async ({ url, engine }) => {
        const res = await fetch(url + '/api/v1/metrics/prometheus');
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4');
        const text = await res.text();
        const lines = text.split('\n');
        for (const name of [
          'fluentbit_input_bytes_total',
          'fluentbit_input_records_total',
          'fluentbit_filter_add_records_total',
          'fluentbit_filter_drop_records_total',
          'fluentbit_output_proc_records_total',
          'fluentbit_output_proc_bytes_total',
          'fluentbit_output_errors_total',
          'fluentbit_output_retries_total',
          'fluentbit_output_retries_failed_total',
          'fluentbit_output_dropped_records_total',
          'fluentbit_output_retried_records_total',
        ]) {
          assert.ok(
            lines.some((l) => l.startsWith(`# HELP ${name} `)),
            `HELP for ${name}`,
          );
          assert.ok(lines.includes(`# TYPE ${name} counter`), `TYPE for ${name}`);
        }
        assert.ok(lines.includes('fluentbit_input_records_total{name="tail.0"} 10'));
        assert.ok(lines.includes('fluentbit_input_bytes_total{name="tail.0"} 1000'));
        assert.ok(lines.includes('fluentbit_filter_drop_records_total{name="grep.0"} 2'));
        assert.ok(lines.includes('fluentbit_output_proc_records_total{name="es.0"} 8'));
        assert.ok(lines.includes('fluentbit_output_retried_records_total{name="es.0"} 3'));
        assert.ok(lines.includes('fluentbit_output_errors_total{name="my \\"alias\\""} 0'));
        assert.ok(lines.includes('# TYPE fluentbit_uptime counter'));
        assert.ok(lines.includes(`fluentbit_uptime ${2 * 86_400 + 3_600 + 5 * 60 + 7}`));
        assert.ok(lines.some((l) => /^process_start_time_seconds \d+$/.test(l)));
        assert.ok(lines.includes('fluentbit_build_info{version="3.2.1",edition="Community"} 1'));
        assert.ok(text.endsWith('tributary_extra 1\n'));
        // Each family's samples follow its own HELP/TYPE lines.
        const help = lines.indexOf('# TYPE fluentbit_output_retries_total counter');
        assert.equal(lines[help + 1], 'fluentbit_output_retries_total{name="es.0"} 1');

        (engine.output['es.0'] as OutputCounters).proc_records = 99;
        (engine.output['es.0'] as OutputCounters).errors = 4;
        const again = await (await fetch(url + '/api/v2/metrics/prometheus')).text();
        assert.match(again, /^fluentbit_output_proc_records_total\{name="es.0"\} 99$/m);
        assert.match(again, /^fluentbit_output_errors_total\{name="es.0"\} 4$/m);
      },
    );
  });

  it('health is always ok when the check is disabled', async () => {
    await withServer({}, async ({ url, engine }) => {
      (engine.output['es.0'] as OutputCounters).errors = 1000;
      const res = await fetch(url + '/api/v1/health');
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'ok\n');
    });
  });

  it('health turns to error past the limits within the period, and back', async () => {
    const healthCheck = { enabled: true, errorsCount: 2, retryFailureCount: 1, periodSeconds: 0.3 };
    await withServer({ healthCheck }, async ({ url, engine }) => {
      const health = async (): Promise<[number, string]> => {
        const r = await fetch(url + '/api/v1/health');
        return [r.status, await r.text()];
      };
      const es = engine.output['es.0'] as OutputCounters;
      assert.deepEqual(await health(), [200, 'ok\n']);
      // Exactly the limit is still healthy: Fluent Bit compares with `>`.
      es.errors += 2;
      assert.deepEqual(await health(), [200, 'ok\n']);
      es.errors += 1;
      assert.deepEqual(await health(), [500, 'error\n']);
      // Once the period has passed without new errors, healthy again.
      await waitFor(async () => (await health())[0] === 200, 3000);
      // Retry failures are summed over outputs.
      (engine.output['my "alias"'] as OutputCounters).retries_failed += 1;
      es.retries_failed += 1;
      assert.deepEqual(await health(), [500, 'error\n']);
      await waitFor(async () => (await health())[0] === 200, 3000);
    });
  });

  it('unknown paths are 404, other methods 405, HEAD has no body', async () => {
    await withServer({}, async ({ url }) => {
      assert.equal((await fetch(url + '/api/v1/nope')).status, 404);
      assert.equal((await fetch(url + '/api/v1/metrics/')).status, 404);
      const post = await fetch(url + '/api/v1/metrics', { method: 'POST' });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET, HEAD');
      const head = await fetch(url + '/api/v1/metrics', { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(await head.text(), '');
      assert.equal((await fetch(url + '/api/v1/metrics?pretty=1')).status, 200);
    });
  });

  it('a throwing metrics source costs one request, not the server', async () => {
    let fail = true;
    const engine = fakeEngine();
    await withServer(
      {
        metrics: () => {
          if (fail) throw new Error('engine not ready');
          return engine.snapshot;
        },
      },
      async ({ url }) => {
        const r = await fetch(url + '/api/v1/metrics');
        assert.equal(r.status, 500);
        fail = false;
        assert.equal((await fetch(url + '/api/v1/metrics')).status, 200);
      },
    );
  });

  it('start fails when the port is taken; stop is idempotent', async () => {
    const a = new MonitoringServer({
      listen: '127.0.0.1',
      port: 0,
      version: '1',
      startedAt: Date.now(),
      metrics: () => fakeEngine().snapshot,
    });
    const { port } = await a.start();
    const b = new MonitoringServer({
      listen: '127.0.0.1',
      port,
      version: '1',
      startedAt: Date.now(),
      metrics: () => fakeEngine().snapshot,
    });
    await assert.rejects(b.start(), /EADDRINUSE/);
    await a.stop();
    await a.stop();
    await b.stop();
  });
});

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await sleep(25);
  }
  assert.fail(`condition not met within ${timeoutMs} ms`);
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthWindow, sampleIntervalMs } from './health.ts';
import { appendExposition, escapeLabel, renderPrometheus } from './prometheus.ts';
import { uptimeHuman } from './uptime.ts';

describe('uptimeHuman', () => {
  it("follows Fluent Bit's plural rule (s only above 1)", () => {
    assert.equal(uptimeHuman(0), 'Fluent Bit has been running:  0 day, 0 hour, 0 minute and 0 second');
    assert.equal(
      uptimeHuman(86_400 + 3_600 + 60 + 1),
      'Fluent Bit has been running:  1 day, 1 hour, 1 minute and 1 second',
    );
    assert.equal(
      uptimeHuman(8_950_000),
      'Fluent Bit has been running:  103 days, 14 hours, 6 minutes and 40 seconds',
    );
  });
});

describe('renderPrometheus', () => {
  it('orders families by name and instances by name; skips empty families', () => {
    const text = renderPrometheus(
      {
        input: { 'tcp.1': { records: 1, bytes: 2 }, 'tail.0': { records: 3, bytes: 4 } },
        filter: {},
        output: {},
      },
      { uptimeSeconds: 5, startedAtSeconds: 100, version: '1.0' },
    );
    assert.equal(
      text,
      [
        '# HELP fluentbit_input_bytes_total Number of input bytes.',
        '# TYPE fluentbit_input_bytes_total counter',
        'fluentbit_input_bytes_total{name="tail.0"} 4',
        'fluentbit_input_bytes_total{name="tcp.1"} 2',
        '# HELP fluentbit_input_records_total Number of input records.',
        '# TYPE fluentbit_input_records_total counter',
        'fluentbit_input_records_total{name="tail.0"} 3',
        'fluentbit_input_records_total{name="tcp.1"} 1',
        '# HELP fluentbit_uptime Number of seconds that Fluent Bit has been running.',
        '# TYPE fluentbit_uptime counter',
        'fluentbit_uptime 5',
        '# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.',
        '# TYPE process_start_time_seconds gauge',
        'process_start_time_seconds 100',
        '# HELP fluentbit_build_info Build version information.',
        '# TYPE fluentbit_build_info gauge',
        'fluentbit_build_info{version="1.0",edition="Community"} 1',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values and joins extra text line-safely', () => {
    assert.equal(escapeLabel('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    assert.equal(appendExposition('a\n', 'b'), 'a\nb\n');
    assert.equal(appendExposition('a\n', ''), 'a\n');
  });
});

describe('HealthWindow', () => {
  it('compares live totals with the oldest sample of the period', () => {
    const totals = { errors: 0, retriesFailed: 0 };
    const w = new HealthWindow(
      { enabled: true, errorsCount: 5, retryFailureCount: 5, periodSeconds: 60 },
      () => ({ ...totals }),
    );
    assert.equal(w.healthy(), true);
    for (let t = 0; t <= 60_000; t += 1000) w.sample(t);
    totals.errors = 6;
    assert.equal(w.healthy(), false);
    // Errors at t=60.5 s stay in the window until the samples before them age out.
    for (let t = 61_000; t <= 120_000; t += 1000) {
      w.sample(t);
      assert.equal(w.healthy(), false, `still unhealthy at ${t}`);
    }
    w.sample(121_000);
    assert.equal(w.healthy(), true);
  });

  it('a disabled check is always healthy; sampling interval is 1 s, shorter for short periods', () => {
    const w = new HealthWindow(
      { enabled: false, errorsCount: 0, retryFailureCount: 0, periodSeconds: 1 },
      () => ({
        errors: 100,
        retriesFailed: 100,
      }),
    );
    w.sample(0);
    assert.equal(w.healthy(), true);
    assert.equal(sampleIntervalMs(60), 1000);
    assert.equal(sampleIntervalMs(0.2), 50);
    assert.equal(sampleIntervalMs(0), 10);
  });
});

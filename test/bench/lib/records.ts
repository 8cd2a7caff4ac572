// The benchmark log record: ~227 bytes as a JSON line (timestamp, level, service, message,
// trace_id and a few fields), the shape the agent issue's generated file uses.
import { randomBytes } from 'node:crypto';

const LEVELS = ['info', 'info', 'info', 'debug', 'warn', 'error'] as const;
const SERVICES = ['orders', 'payments', 'catalog', 'checkout'] as const;

export function benchRecord(i: number): Record<string, string | number> {
  return {
    timestamp: new Date(Date.UTC(2026, 10, 23, 0, 0, 0, i % 86_400_000)).toISOString(),
    level: LEVELS[i % LEVELS.length] as string,
    service: SERVICES[i % SERVICES.length] as string,
    message: `request handled path=/api/v1/orders/${100000 + (i % 900000)} status=200`,
    trace_id: randomBytes(16).toString('hex'),
    span_id: randomBytes(8).toString('hex'),
    duration_ms: i % 997,
    user_id: `u${i % 5000}`,
    seq: i,
  };
}

export function benchLine(i: number): string {
  return JSON.stringify(benchRecord(i));
}

/**
 * The agent issue's log line: about 227 bytes of JSON (timestamp, level, service, message,
 * trace_id and a few fields), one per line of the generated 5M-line file.
 */
export function agentBenchLine(i: number): string {
  const { span_id: _span, ...record } = benchRecord(i);
  return JSON.stringify({
    ...record,
    message: `GET /api/v1/orders/${100000 + (i % 900000)} 200 in ${record.duration_ms}ms`,
    host: 'n1',
  });
}

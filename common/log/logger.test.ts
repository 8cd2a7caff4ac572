import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, isLogLevel } from './logger.ts';

test('writes one JSON line per entry, filtered by level, with bound fields', () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', component: 'collector', write: (l) => void lines.push(l) });
  logger.debug('hidden');
  logger.info('started', { port: 9412 });
  logger.child({ exporter: 'es' }).error('failed', { reason: 'x' });
  assert.equal(lines.length, 2);
  const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(first?.message, 'started');
  assert.equal(first?.component, 'collector');
  assert.equal(first?.port, 9412);
  assert.equal(second?.['log.level'], 'error');
  assert.equal(second?.exporter, 'es');
  assert.equal(second?.component, 'collector');
  assert.ok(lines.every((l) => l.endsWith('\n')));
});

test('isLogLevel accepts only the four levels', () => {
  assert.ok(isLogLevel('warn'));
  assert.ok(!isLogLevel('trace'));
});

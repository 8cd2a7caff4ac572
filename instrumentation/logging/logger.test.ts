import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { memoryCore } from '../test-support/memory-sink.ts';
import { TributaryLogger } from './logger.ts';

const provider = new TracerProvider({});
const contextManager = new AsyncLocalStorageContextManager();

before(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(provider);
});

after(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});

test('records carry the trace and span ids of the active span, across awaits', async () => {
  const { sink, core } = memoryCore();
  const logger = new TributaryLogger(() => core);
  const tracer = trace.getTracer('test');
  let ids: { traceId: string; spanId: string } | undefined;
  await tracer.startActiveSpan('work', async (span) => {
    ids = span.spanContext();
    logger.info('before await');
    await new Promise((resolve) => setTimeout(resolve, 5));
    logger.info('after await');
    span.end();
  });
  logger.info('outside');
  const [a, b, c] = sink.records;
  assert.equal(a?.['trace.id'], ids?.traceId);
  assert.equal(a?.['span.id'], ids?.spanId);
  assert.equal(b?.['trace.id'], ids?.traceId);
  assert.equal(c?.['trace.id'], undefined, 'no span, no ids');
});

test('levels, child bindings, fields, and the ECS keys the collector maps', () => {
  const { sink, core } = memoryCore('info');
  const logger = new TributaryLogger(() => core);
  logger.debug('not shipped');
  const child = logger.child({ tenant: 'acme' }).child({ 'http.request.id': 'r1' });
  child.warn('disk almost full', { 'disk.free': 3 });
  assert.equal(sink.records.length, 1);
  const r = sink.records[0] as Record<string, unknown>;
  assert.equal(r['message'], 'disk almost full');
  assert.equal(r['log.level'], 'warn');
  assert.equal(r['service.name'], 'test');
  assert.equal(r['tenant'], 'acme');
  assert.equal(r['http.request.id'], 'r1');
  assert.equal(r['disk.free'], 3);
  assert.match(String(r['event.id']), /^[\w-]{17,}$/);
  assert.equal(logger.isLevelEnabled('debug'), false);
  assert.equal(logger.isLevelEnabled('error'), true);
  core.minLevel = 10;
  assert.equal(child.isLevelEnabled('trace'), true, 'children follow the shared level');
});

test('fields cannot replace message or level; every event.id is unique', () => {
  const { sink, core } = memoryCore();
  const logger = new TributaryLogger(() => core);
  for (let i = 0; i < 1000; i++) logger.info('m', { message: 'x', 'log.level': 'fatal' });
  assert.ok(sink.records.every((r) => r['message'] === 'm' && r['log.level'] === 'info'));
  assert.equal(new Set(sink.records.map((r) => r['event.id'])).size, 1000);
});

test('errors become error.type, error.message and error.stack_trace, causes included', () => {
  const { sink, core } = memoryCore();
  const logger = new TributaryLogger(() => core);
  const cause = new RangeError('socket hang up');
  const error = new Error('payment failed', { cause });
  logger.error('charge failed', { err: error, orderId: 7 });
  logger.error(new TypeError('bad input'));
  logger.error('odd throw', { error: 'not an Error object' });
  const [a, b, c] = sink.records;
  assert.equal(a?.['error.type'], 'Error');
  assert.equal(a?.['error.message'], 'payment failed');
  assert.match(String(a?.['error.stack_trace']), /^Error: payment failed\n\s+at /);
  assert.match(String(a?.['error.stack_trace']), /Caused by: RangeError: socket hang up/);
  assert.equal(a?.['err'], undefined, 'the Error itself is not shipped as a field');
  assert.equal(a?.['orderId'], 7);
  assert.equal(b?.['message'], 'bad input');
  assert.equal(b?.['error.type'], 'TypeError');
  assert.equal(c?.['error'], 'not an Error object', 'non-Error values stay ordinary fields');
});

test('never throws into the caller', () => {
  const { sink, core, emitter } = memoryCore();
  const logger = new TributaryLogger(() => core);
  const hostile = Object.defineProperty({}, 'boom', {
    enumerable: true,
    get() {
      throw new Error('getter');
    },
  }) as Record<string, unknown>;
  assert.doesNotThrow(() => logger.info('x', hostile));
  assert.doesNotThrow(() => logger.info(null as unknown as string));
  assert.equal(emitter.failures, 1);
  assert.equal(sink.records.length, 1);
});

test('event times have sub-millisecond precision and follow the wall clock', () => {
  const { sink, core } = memoryCore();
  const logger = new TributaryLogger(() => core);
  const before = Date.now();
  for (let i = 0; i < 20; i++) logger.info('t');
  const times = sink.events.map((e) => e.time.epoch * 1000 + e.time.nano / 1e6);
  assert.ok(times.every((t) => Math.abs(t - before) < 1000));
  assert.ok(
    sink.events.some((e) => e.time.nano % 1_000_000 !== 0),
    'some time has digits below the millisecond',
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ROOT_CONTEXT,
  TraceFlags,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
  type SpanContext,
} from '@opentelemetry/api';
import { createPropagator } from './propagation.ts';

const all = createPropagator(['tracecontext', 'baggage', 'b3', 'b3multi']);
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';

function extract(headers: Record<string, string>): SpanContext | undefined {
  return trace.getSpanContext(all.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
}

test('out: one outgoing request carries traceparent, b3 and X-B3-* headers', () => {
  const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
  const headers: Record<string, string> = {};
  all.inject(ctx, headers, defaultTextMapSetter);
  assert.equal(headers['traceparent'], `00-${traceId}-${spanId}-01`);
  assert.equal(headers['b3'], `${traceId}-${spanId}-1`);
  assert.equal(headers['x-b3-traceid'], traceId);
  assert.equal(headers['x-b3-spanid'], spanId);
  assert.equal(headers['x-b3-sampled'], '1');
});

test('in: W3C traceparent, B3 single and B3 multi headers are each understood', () => {
  assert.deepEqual(extract({ traceparent: `00-${traceId}-${spanId}-01` }), {
    traceId,
    spanId,
    traceFlags: 1,
    isRemote: true,
  });
  const single = extract({ b3: `${traceId}-${spanId}-1` });
  assert.equal(single?.traceId, traceId);
  assert.equal(single?.spanId, spanId);
  assert.equal(single?.traceFlags, TraceFlags.SAMPLED);
  const multi = extract({ 'x-b3-traceid': traceId, 'x-b3-spanid': spanId, 'x-b3-sampled': '0' });
  assert.equal(multi?.traceId, traceId);
  assert.equal(multi?.traceFlags, TraceFlags.NONE, 'a caller’s “not sampled” is kept');
  const short = extract({ b3: `a3ce929d0e0e4736-${spanId}-1` });
  assert.equal(short?.traceId, '0000000000000000a3ce929d0e0e4736', '64-bit B3 trace ids are padded');
});

test('in: when a request carries both, traceparent wins', () => {
  const other = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
  const ctx = extract({ traceparent: `00-${traceId}-${spanId}-01`, b3: `${other}-${spanId}-1` });
  assert.equal(ctx?.traceId, traceId);
});

test('only the configured formats are injected', () => {
  const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
  const headers: Record<string, string> = {};
  createPropagator(['b3multi']).inject(ctx, headers, defaultTextMapSetter);
  assert.deepEqual(Object.keys(headers).sort(), ['x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid']);
});

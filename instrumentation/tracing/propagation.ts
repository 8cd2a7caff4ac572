// W3C tracecontext (+ baggage) and B3, single and multi header, in and out. Every configured format
// is injected into outgoing requests, so a downstream service that speaks only one of them still
// continues the trace. On the way in, a composite extracts in order and a later format that finds
// its headers wins, so tracecontext goes last: when a request carries both, traceparent is trusted.
import type { TextMapPropagator } from '@opentelemetry/api';
import type { PropagatorName } from '../config.ts';
import { otel } from './otel.ts';

const EXTRACTION_ORDER: readonly PropagatorName[] = ['b3multi', 'b3', 'baggage', 'tracecontext'];

export function createPropagator(names: readonly PropagatorName[]): TextMapPropagator {
  const { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } = otel.core();
  const { B3Propagator, B3InjectEncoding } = otel.b3();
  const propagators: TextMapPropagator[] = [];
  for (const name of EXTRACTION_ORDER) {
    if (!names.includes(name)) continue;
    switch (name) {
      case 'b3multi':
        propagators.push(new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }));
        break;
      case 'b3':
        propagators.push(new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER }));
        break;
      case 'baggage':
        propagators.push(new W3CBaggagePropagator());
        break;
      case 'tracecontext':
        propagators.push(new W3CTraceContextPropagator());
        break;
    }
  }
  return new CompositePropagator({ propagators });
}

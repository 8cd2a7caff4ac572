// The OpenTelemetry Node SDK, set up for Tributary: spans to the collector's Zipkin endpoint through
// a batch span processor, the configured sampler and propagators, and a lean resource. Metrics and
// OTel logs are off (sdk-node would otherwise default both to OTLP exporters).
import { trace } from '@opentelemetry/api';
import type { ResolvedConfig } from '../config.ts';
import { traceHttpServers } from './http-server.ts';
import { createInstrumentations } from './instrumentations.ts';
import { otel } from './otel.ts';
import { createPropagator } from './propagation.ts';
import { createSampler } from './sampler.ts';

const TRACER_NAME = '@tributary/instrumentation';

export interface Tracing {
  /** Exports every finished span now. */
  forceFlush(): Promise<void>;
  /** Flushes, then stops the SDK; later spans are dropped. */
  shutdown(): Promise<void>;
}

export function startTracing(config: ResolvedConfig): Tracing {
  const t = config.tracing;
  const instrumentations = createInstrumentations(t);
  const { NodeSDK } = otel.sdkNode();
  const { BatchSpanProcessor } = otel.sdkTrace();
  const { ZipkinExporter } = otel.zipkin();
  const { resourceFromAttributes } = otel.resources();
  const processor = new BatchSpanProcessor({
    exporter: new ZipkinExporter({ url: t.zipkinUrl, serviceName: config.serviceName }),
    ...t.batch,
  });
  const sdk = new NodeSDK({
    resource: resourceFromAttributes(config.resource),
    autoDetectResources: false,
    spanProcessors: [processor],
    sampler: createSampler(t.sampler, t.sampleRatio),
    textMapPropagator: createPropagator(t.propagators),
    instrumentations,
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  const untraceServers = t.instrumentations.http
    ? traceHttpServers({
        tracer: trace.getTracer(TRACER_NAME),
        ignorePaths: new Set(t.ignoreIncomingPaths),
      })
    : () => undefined;
  return {
    forceFlush: () => processor.forceFlush(),
    shutdown: async () => {
      untraceServers();
      await sdk.shutdown();
    },
  };
}

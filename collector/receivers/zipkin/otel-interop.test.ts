// The OpenTelemetry Zipkin exporter, pointed at the collector unchanged, delivers its spans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { startTestCollector } from '../../../test/support/collector.ts';
import { createRecordingExporter } from '../../../test/support/recording-exporter.ts';

test('@opentelemetry/exporter-zipkin posts to /api/v2/spans and every span arrives intact', async (t) => {
  const recording = createRecordingExporter();
  const { httpUrl, stop } = await startTestCollector({}, { exporters: [recording] });
  t.after(stop);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'otel-interop', 'k8s.namespace.name': 'shop' }),
    spanProcessors: [
      new SimpleSpanProcessor({ exporter: new ZipkinExporter({ url: `${httpUrl}/api/v2/spans` }) }),
    ],
  });
  const tracer = provider.getTracer('interop-test');
  const parent = tracer.startSpan('GET /orders', {
    attributes: { 'http.method': 'GET', 'http.status_code': 200 },
  });
  const { traceId, spanId } = parent.spanContext();
  parent.end();
  await provider.forceFlush();
  await provider.shutdown();
  for (let i = 0; i < 100 && recording.spans.length < 1; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(recording.spans.length, 1);
  const span = recording.spans[0];
  assert.equal(span?.traceId, traceId);
  assert.equal(span?.id, spanId);
  assert.equal(span?.name, 'GET /orders');
  assert.equal(span?.localEndpoint?.serviceName, 'otel-interop');
  assert.equal(span?.tags?.['http.method'], 'GET');
  assert.equal(span?.tags?.['k8s.namespace.name'], 'shop');
});

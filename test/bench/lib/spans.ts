// Spans shaped like the ones @opentelemetry/exporter-zipkin sends for an instrumented koa/http service.
import { randomBytes } from 'node:crypto';

export function otelZipkinSpan(
  i: number,
  traceId = randomBytes(16).toString('hex'),
): Record<string, unknown> {
  const start = Date.now() * 1000 - 5_000_000 + i;
  return {
    traceId,
    parentId: randomBytes(8).toString('hex'),
    id: randomBytes(8).toString('hex'),
    kind: i % 2 === 0 ? 'SERVER' : 'CLIENT',
    name: i % 2 === 0 ? 'GET /api/v1/orders/:id' : 'GET',
    timestamp: start,
    duration: 1000 + (i % 5000),
    localEndpoint: { serviceName: 'orders' },
    tags: {
      'http.method': 'GET',
      'http.url': `http://orders.shop.svc.cluster.local:8080/api/v1/orders/${100000 + i}`,
      'http.status_code': '200',
      'http.flavor': '1.1',
      'http.route': '/api/v1/orders/:id',
      'net.host.name': 'orders.shop.svc.cluster.local',
      'net.peer.ip': '10.42.0.17',
      'otel.library.name': '@opentelemetry/instrumentation-http',
      'otel.library.version': '0.201.0',
      'service.version': '1.4.2',
      'k8s.namespace.name': 'shop',
      'k8s.pod.name': 'orders-7d9f8c6b5-x2x9q',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.name': 'opentelemetry',
      'telemetry.sdk.version': '2.1.0',
    },
  };
}

// Fluent Bit's monitoring HTTP API (`HTTP_Server On`): `/`, `/api/v1/uptime`, `/api/v1/metrics`,
// `/api/v1/metrics/prometheus`, `/api/v1/health`, and the v2 metrics paths as aliases.
export { MonitoringServer, DEFAULT_FLAGS } from './server.ts';
export type { MonitoringServerOptions } from './server.ts';
export type { HealthCheckOptions } from './health.ts';
export { renderPrometheus, PROMETHEUS_CONTENT_TYPE } from './prometheus.ts';
export { metricsJson } from './metrics-json.ts';
export { uptimeHuman } from './uptime.ts';

// Fluent Bit's monitoring HTTP API (`HTTP_Server On`) on node:http: a handful of fixed GET routes
// answered from the engine's live counters. See README.md for why not koa or prom-client.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsSnapshot } from '../engine/types.ts';
import { HealthWindow, sampleIntervalMs } from './health.ts';
import type { HealthCheckOptions } from './health.ts';
import { metricsJson, outputFailureTotals } from './metrics-json.ts';
import { PROMETHEUS_CONTENT_TYPE, appendExposition, renderPrometheus } from './prometheus.ts';
import { uptime, uptimeSeconds } from './uptime.ts';

export interface MonitoringServerOptions {
  /** `HTTP_Listen`. */
  listen: string;
  /** `HTTP_Port`; 0 picks a free port (tests). */
  port: number;
  /** Reported as Fluent Bit's `version` (`/`, `fluentbit_build_info`). */
  version: string;
  /** When the agent started, in ms since the epoch: uptime and `process_start_time_seconds`. */
  startedAt: number;
  /** The engine's live counters, read at every request. */
  metrics: () => MetricsSnapshot;
  /** `Health_Check`, `HC_Errors_Count`, `HC_Retry_Failure_Count`, `HC_Period`. */
  healthCheck?: HealthCheckOptions;
  /** More Prometheus text (plugin or process metrics) appended to the Prometheus endpoints. */
  extraPrometheus?: () => string;
  /** Build flags listed by `GET /`. */
  flags?: readonly string[];
}

/** What a Tributary agent really has, spelled as Fluent Bit's build flags. */
export const DEFAULT_FLAGS: readonly string[] = [
  'FLB_HAVE_TLS',
  'FLB_HAVE_METRICS',
  'FLB_HAVE_HTTP_SERVER',
  'FLB_HAVE_SQLDB',
  'FLB_HAVE_REGEX',
  'FLB_HAVE_RECORD_ACCESSOR',
  'FLB_HAVE_PARSER',
];

type Reply = { status: number; type: string; body: string };

const JSON_TYPE = 'application/json';

function json(value: unknown): Reply {
  return { status: 200, type: JSON_TYPE, body: JSON.stringify(value) };
}

export class MonitoringServer {
  readonly #options: MonitoringServerOptions;
  readonly #health: HealthWindow;
  readonly #rootBody: string;
  #server: Server | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: MonitoringServerOptions) {
    this.#options = options;
    this.#health = new HealthWindow(
      options.healthCheck ?? { enabled: false, errorsCount: 0, retryFailureCount: 0, periodSeconds: 0 },
      () => outputFailureTotals(options.metrics()),
    );
    // Static for the life of the process, as Fluent Bit builds it once at start.
    this.#rootBody = JSON.stringify({
      'fluent-bit': {
        version: options.version,
        edition: 'Community',
        flags: [...(options.flags ?? DEFAULT_FLAGS)],
      },
      // Dashboards read only `fluent-bit`; this says who is really answering.
      tributary: { component: 'agent', version: options.version },
    });
  }

  async start(): Promise<{ port: number }> {
    if (this.#server !== undefined) throw new Error('MonitoringServer already started');
    const server = createServer((req, res) => this.#handle(req, res));
    // Slow-loris guard, as the collector's server: a client gets this long for its headers.
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port, this.#options.listen, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    const hc = this.#options.healthCheck;
    if (hc?.enabled) {
      this.#health.sample(Date.now());
      this.#timer = setInterval(() => this.#health.sample(Date.now()), sampleIntervalMs(hc.periodSeconds));
      // Sampling alone must never keep the process alive.
      this.#timer.unref();
    }
    return { port: (server.address() as AddressInfo).port };
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Scrapers keep connections alive; without this close() waits for them to time out.
    server.closeAllConnections();
    await closed;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    let reply: Reply;
    try {
      reply = this.#route(req);
    } catch (err) {
      // A failing metrics() or extraPrometheus() must cost one scrape, not the server.
      reply = {
        status: 500,
        type: 'text/plain',
        body: `error: ${err instanceof Error ? err.message : String(err)}\n`,
      };
    }
    res.statusCode = reply.status;
    res.setHeader('Content-Type', reply.type);
    res.setHeader('Content-Length', Buffer.byteLength(reply.body));
    res.setHeader('Server', 'tributary-agent');
    if (reply.status === 405) res.setHeader('Allow', 'GET, HEAD');
    res.end(req.method === 'HEAD' ? undefined : reply.body);
  }

  #route(req: IncomingMessage): Reply {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const known = this.#answer(path);
    if (known === undefined) return { status: 404, type: 'text/plain', body: 'not found\n' };
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return { status: 405, type: 'text/plain', body: 'use GET\n' };
    return known();
  }

  /** The handler for `path`, or undefined when there is none; the routes are Fluent Bit's exact paths. */
  #answer(path: string): (() => Reply) | undefined {
    const o = this.#options;
    switch (path) {
      case '/':
        return () => ({ status: 200, type: JSON_TYPE, body: this.#rootBody });
      case '/api/v1/uptime':
        return () => json(uptime(o.startedAt, Date.now()));
      case '/api/v1/metrics':
      case '/api/v2/metrics':
        return () => json(metricsJson(o.metrics()));
      case '/api/v1/metrics/prometheus':
      case '/api/v2/metrics/prometheus':
        return () => ({ status: 200, type: PROMETHEUS_CONTENT_TYPE, body: this.#prometheus() });
      case '/api/v1/health':
        return () =>
          this.#health.healthy()
            ? { status: 200, type: 'text/plain', body: 'ok\n' }
            : { status: 500, type: 'text/plain', body: 'error\n' };
      default:
        return undefined;
    }
  }

  #prometheus(): string {
    const o = this.#options;
    const text = renderPrometheus(o.metrics(), {
      uptimeSeconds: uptimeSeconds(o.startedAt, Date.now()),
      startedAtSeconds: Math.floor(o.startedAt / 1000),
      version: o.version,
    });
    return o.extraPrometheus === undefined ? text : appendExposition(text, o.extraPrometheus());
  }
}

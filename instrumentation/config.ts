// Options for init(), and how the zero-code start-up (`--import .../register`) reads them from the
// environment. Precedence: explicit options, then TRIBUTARY_* variables, then the standard OTEL_*
// ones, then defaults. A bad value is an error at start-up that names the variable or option.
import { hostname } from 'node:os';
import { parseResourceAttributes, type ResourceAttributes } from './tracing/resource-env.ts';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export type LogOutput = 'forward' | 'stdout' | 'both' | 'none';
export type Environment = 'development' | 'production';
export type PropagatorName = 'tracecontext' | 'baggage' | 'b3' | 'b3multi';
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const LOG_OUTPUTS: readonly LogOutput[] = ['forward', 'stdout', 'both', 'none'];
const ENVIRONMENTS: readonly Environment[] = ['development', 'production'];
const PROPAGATORS: readonly PropagatorName[] = ['tracecontext', 'baggage', 'b3', 'b3multi'];
const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

export interface InstrumentationOptions {
  /** `service.name` of spans and log records. */
  serviceName?: string;
  serviceVersion?: string;
  /** `development` throws on invalid audit calls; `production` logs and counts them. */
  environment?: Environment;
  /** Extra resource attributes (spans), merged over `OTEL_RESOURCE_ATTRIBUTES`. */
  resourceAttributes?: ResourceAttributes;
  tracing?: TracingOptions;
  logging?: LoggingOptions;
  shutdown?: ShutdownOptions;
}

export interface TracingOptions {
  enabled?: boolean;
  /** The collector's Zipkin v2 endpoint. */
  zipkinUrl?: string;
  sampler?: SamplerName;
  /** Ratio of root traces kept by the `*traceidratio` samplers, 0..1. */
  sampleRatio?: number;
  propagators?: readonly PropagatorName[];
  batch?: BatchOptions;
  /** Incoming request paths that get no span (health probes). Exact matches. */
  ignoreIncomingPaths?: readonly string[];
  instrumentations?: InstrumentationSwitches;
}

export interface BatchOptions {
  maxQueueSize?: number;
  maxExportBatchSize?: number;
  scheduledDelayMillis?: number;
  exportTimeoutMillis?: number;
}

export interface InstrumentationSwitches {
  http?: boolean;
  koa?: boolean;
  /**
   * A span per koa middleware as well as per router layer. Off by default: each costs about as much
   * as the request's own server span and, in an app routed by hand, says little.
   */
  koaMiddlewareSpans?: boolean;
  undici?: boolean;
  grpc?: boolean;
}

export interface LoggingOptions {
  level?: LogLevel;
  /** `forward` to the node agent, `stdout` JSON lines (for clusters that only tail container logs). */
  output?: LogOutput;
  forward?: ForwardOptions;
}

export interface ForwardOptions {
  host?: string;
  port?: number;
  /** Tag prefix; records go out as `<tag>.log` and `<tag>.audit`. */
  tag?: string;
  /** Records held (buffered or awaiting the agent's ack) before the oldest are dropped. */
  bufferLimit?: number;
  ackTimeoutMs?: number;
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  flushIntervalMs?: number;
}

export interface ShutdownOptions {
  /** Time SIGTERM gives spans and logs to flush before the process is let go. */
  timeoutMs?: number;
  /** Install SIGTERM/SIGINT handlers that flush and then let the process exit. */
  handleSignals?: boolean;
}

export interface KubernetesInfo {
  podName: string | undefined;
  namespace: string | undefined;
  nodeName: string | undefined;
}

export interface ResolvedConfig {
  serviceName: string;
  serviceVersion: string | undefined;
  environment: Environment;
  kubernetes: KubernetesInfo;
  /** Every resource attribute of the spans, service and Kubernetes ones included. */
  resource: ResourceAttributes;
  tracing: {
    enabled: boolean;
    zipkinUrl: string;
    sampler: SamplerName;
    sampleRatio: number;
    propagators: readonly PropagatorName[];
    batch: Required<BatchOptions>;
    ignoreIncomingPaths: readonly string[];
    instrumentations: Required<InstrumentationSwitches>;
  };
  logging: {
    level: LogLevel;
    output: LogOutput;
    forward: Required<ForwardOptions>;
  };
  shutdown: Required<ShutdownOptions>;
}

export class InstrumentationConfigError extends Error {
  override readonly name = 'InstrumentationConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

/** One row per environment variable: what the README's table lists, and what a test keeps in step. */
export const ENVIRONMENT_VARIABLES: readonly { name: string; option: string; description: string }[] = [
  { name: 'OTEL_SERVICE_NAME', option: 'serviceName', description: 'Service name.' },
  { name: 'TRIBUTARY_SERVICE_VERSION', option: 'serviceVersion', description: 'Service version.' },
  {
    name: 'OTEL_RESOURCE_ATTRIBUTES',
    option: 'resourceAttributes',
    description: '`key=value,...` resource attributes; `service.name`/`service.version` there are fallbacks.',
  },
  {
    name: 'TRIBUTARY_ENVIRONMENT',
    option: 'environment',
    description: '`development` or `production`; default from `NODE_ENV` (`production` or not).',
  },
  { name: 'TRIBUTARY_TRACING', option: 'tracing.enabled', description: '`false` turns tracing off.' },
  { name: 'OTEL_SDK_DISABLED', option: 'tracing.enabled', description: '`true` turns tracing off.' },
  {
    name: 'TRIBUTARY_ZIPKIN_URL',
    option: 'tracing.zipkinUrl',
    description: 'Zipkin v2 endpoint (also read: `OTEL_EXPORTER_ZIPKIN_ENDPOINT`).',
  },
  { name: 'OTEL_TRACES_SAMPLER', option: 'tracing.sampler', description: 'Sampler name.' },
  { name: 'OTEL_TRACES_SAMPLER_ARG', option: 'tracing.sampleRatio', description: 'Sampling ratio, 0..1.' },
  {
    name: 'OTEL_PROPAGATORS',
    option: 'tracing.propagators',
    description: 'Comma-separated: `tracecontext`, `baggage`, `b3`, `b3multi`.',
  },
  { name: 'OTEL_BSP_MAX_QUEUE_SIZE', option: 'tracing.batch.maxQueueSize', description: 'Spans queued.' },
  {
    name: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
    option: 'tracing.batch.maxExportBatchSize',
    description: 'Spans per export.',
  },
  {
    name: 'OTEL_BSP_SCHEDULE_DELAY',
    option: 'tracing.batch.scheduledDelayMillis',
    description: 'Milliseconds between exports.',
  },
  {
    name: 'OTEL_BSP_EXPORT_TIMEOUT',
    option: 'tracing.batch.exportTimeoutMillis',
    description: 'Milliseconds an export may take.',
  },
  {
    name: 'TRIBUTARY_TRACING_IGNORE_PATHS',
    option: 'tracing.ignoreIncomingPaths',
    description: 'Comma-separated request paths without spans.',
  },
  {
    name: 'TRIBUTARY_KOA_MIDDLEWARE_SPANS',
    option: 'tracing.instrumentations.koaMiddlewareSpans',
    description: '`true`: a span per koa middleware, not only per router layer.',
  },
  { name: 'TRIBUTARY_LOG_LEVEL', option: 'logging.level', description: 'Lowest level shipped.' },
  {
    name: 'TRIBUTARY_LOG_OUTPUT',
    option: 'logging.output',
    description: '`forward`, `stdout`, `both` or `none`.',
  },
  { name: 'TRIBUTARY_FORWARD_HOST', option: 'logging.forward.host', description: 'Agent host.' },
  { name: 'TRIBUTARY_FORWARD_PORT', option: 'logging.forward.port', description: 'Agent Forward port.' },
  { name: 'TRIBUTARY_LOG_TAG', option: 'logging.forward.tag', description: 'Forward tag prefix.' },
  {
    name: 'TRIBUTARY_LOG_BUFFER_LIMIT',
    option: 'logging.forward.bufferLimit',
    description: 'Records held while the agent is away.',
  },
  {
    name: 'TRIBUTARY_FORWARD_ACK_TIMEOUT_MS',
    option: 'logging.forward.ackTimeoutMs',
    description: 'Wait for an ack before resending.',
  },
  {
    name: 'TRIBUTARY_SHUTDOWN_TIMEOUT_MS',
    option: 'shutdown.timeoutMs',
    description: 'Flush deadline on SIGTERM.',
  },
  {
    name: 'TRIBUTARY_HANDLE_SIGNALS',
    option: 'shutdown.handleSignals',
    description: '`false`: no SIGTERM/SIGINT handlers.',
  },
  {
    name: 'K8S_POD_NAME',
    option: '-',
    description: 'Downward API: `k8s.pod.name` (also read: `POD_NAME`).',
  },
  {
    name: 'K8S_NAMESPACE_NAME',
    option: '-',
    description: 'Downward API: `k8s.namespace.name` (also read: `POD_NAMESPACE`).',
  },
  {
    name: 'K8S_NODE_NAME',
    option: '-',
    description: 'Downward API: `k8s.node.name` (also read: `NODE_NAME`).',
  },
];

function text(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const v = env[name]?.trim();
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], where: string): T {
  const v = value.toLowerCase();
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new InstrumentationConfigError(`${where}="${value}" is not valid; use one of ${allowed.join(', ')}`);
}

function bool(value: string, where: string): boolean {
  const v = value.toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes' || v === 'on') return true;
  if (v === 'false' || v === '0' || v === 'no' || v === 'off') return false;
  throw new InstrumentationConfigError(`${where}="${value}" is not a boolean; use true or false`);
}

function int(value: string | number, where: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InstrumentationConfigError(
      `${where}=${JSON.stringify(value)} must be an integer in ${min}..${max}`,
    );
  }
  return n;
}

function ratio(value: string | number, where: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new InstrumentationConfigError(`${where}=${JSON.stringify(value)} must be a number in 0..1`);
  }
  return n;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function url(value: string, where: string): string {
  try {
    const u = new URL(value);
    if (u.protocol === 'http:' || u.protocol === 'https:') return value;
  } catch {
    // reported below
  }
  throw new InstrumentationConfigError(`${where}="${value}" is not an http(s) URL`);
}

/** Fluent tags are dot-separated words; anything else becomes `_`. */
export function sanitiseTag(value: string): string {
  const t = value.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[._]+|[._]+$/g, '');
  return t === '' ? 'app' : t;
}

function envOr<T>(option: T | undefined, env: () => T | undefined, fallback: T): T {
  if (option !== undefined) return option;
  return env() ?? fallback;
}

export function resolveConfig(options: InstrumentationOptions = {}, env: Env = process.env): ResolvedConfig {
  const fromEnvAttributes = (() => {
    const raw = env['OTEL_RESOURCE_ATTRIBUTES'];
    if (raw === undefined || raw.trim() === '') return {};
    try {
      return parseResourceAttributes(raw);
    } catch (error) {
      throw new InstrumentationConfigError(`OTEL_RESOURCE_ATTRIBUTES: ${(error as Error).message}`);
    }
  })();
  const attr = (key: string): string | undefined => {
    const v = fromEnvAttributes[key];
    return v === undefined ? undefined : String(v);
  };

  const serviceName =
    options.serviceName ??
    text(env, 'OTEL_SERVICE_NAME') ??
    attr('service.name') ??
    text(env, 'npm_package_name') ??
    'unknown_service:node';
  if (serviceName.trim() === '') throw new InstrumentationConfigError('serviceName must not be empty');
  const serviceVersion =
    options.serviceVersion ??
    text(env, 'TRIBUTARY_SERVICE_VERSION') ??
    attr('service.version') ??
    text(env, 'npm_package_version');

  const environmentText = text(env, 'TRIBUTARY_ENVIRONMENT');
  const environment: Environment =
    options.environment ??
    (environmentText !== undefined
      ? oneOf(environmentText, ENVIRONMENTS, 'TRIBUTARY_ENVIRONMENT')
      : env['NODE_ENV'] === 'production'
        ? 'production'
        : 'development');

  const kubernetes: KubernetesInfo = {
    podName: text(env, 'K8S_POD_NAME', 'POD_NAME'),
    namespace: text(env, 'K8S_NAMESPACE_NAME', 'POD_NAMESPACE'),
    nodeName: text(env, 'K8S_NODE_NAME', 'NODE_NAME'),
  };

  // Every resource attribute becomes a tag on every Zipkin span, so only what identifies the
  // service and where it runs goes in; process and OS detectors would add a dozen tags per span.
  const resource: ResourceAttributes = { 'host.name': hostname() };
  if (kubernetes.podName !== undefined) resource['k8s.pod.name'] = kubernetes.podName;
  if (kubernetes.namespace !== undefined) resource['k8s.namespace.name'] = kubernetes.namespace;
  if (kubernetes.nodeName !== undefined) resource['k8s.node.name'] = kubernetes.nodeName;
  Object.assign(resource, fromEnvAttributes, options.resourceAttributes ?? {});
  resource['service.name'] = serviceName;
  if (serviceVersion !== undefined) resource['service.version'] = serviceVersion;

  const t = options.tracing ?? {};
  const tracingFlag = text(env, 'TRIBUTARY_TRACING');
  const sdkDisabled = text(env, 'OTEL_SDK_DISABLED');
  const tracingEnabled =
    t.enabled ??
    (tracingFlag !== undefined
      ? bool(tracingFlag, 'TRIBUTARY_TRACING')
      : sdkDisabled !== undefined
        ? !bool(sdkDisabled, 'OTEL_SDK_DISABLED')
        : true);

  const zipkinUrl = url(
    t.zipkinUrl ??
      text(env, 'TRIBUTARY_ZIPKIN_URL', 'OTEL_EXPORTER_ZIPKIN_ENDPOINT') ??
      'http://127.0.0.1:9412/api/v2/spans',
    t.zipkinUrl !== undefined ? 'tracing.zipkinUrl' : 'TRIBUTARY_ZIPKIN_URL',
  );
  const samplerText = text(env, 'OTEL_TRACES_SAMPLER');
  const sampler = envOr<SamplerName>(
    t.sampler === undefined ? undefined : oneOf(t.sampler, SAMPLERS, 'tracing.sampler'),
    () => (samplerText === undefined ? undefined : oneOf(samplerText, SAMPLERS, 'OTEL_TRACES_SAMPLER')),
    'parentbased_traceidratio',
  );
  const ratioText = text(env, 'OTEL_TRACES_SAMPLER_ARG');
  const sampleRatio =
    t.sampleRatio !== undefined
      ? ratio(t.sampleRatio, 'tracing.sampleRatio')
      : ratioText !== undefined
        ? ratio(ratioText, 'OTEL_TRACES_SAMPLER_ARG')
        : 1;
  const propagatorsText = text(env, 'OTEL_PROPAGATORS');
  const propagators = (
    t.propagators ??
    (propagatorsText === undefined ? undefined : list(propagatorsText)) ??
    PROPAGATORS
  )
    .filter((p) => p !== 'none')
    .map((p) => oneOf(p, PROPAGATORS, t.propagators ? 'tracing.propagators' : 'OTEL_PROPAGATORS'));

  const b = t.batch ?? {};
  const envInt = (name: string, min: number) => {
    const v = text(env, name);
    return v === undefined ? undefined : int(v, name, min);
  };
  const batch: Required<BatchOptions> = {
    maxQueueSize: int(b.maxQueueSize ?? envInt('OTEL_BSP_MAX_QUEUE_SIZE', 1) ?? 2048, 'maxQueueSize', 1),
    maxExportBatchSize: int(
      b.maxExportBatchSize ?? envInt('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 1) ?? 512,
      'maxExportBatchSize',
      1,
    ),
    scheduledDelayMillis: int(
      b.scheduledDelayMillis ?? envInt('OTEL_BSP_SCHEDULE_DELAY', 0) ?? 1000,
      'scheduledDelayMillis',
      0,
    ),
    exportTimeoutMillis: int(
      b.exportTimeoutMillis ?? envInt('OTEL_BSP_EXPORT_TIMEOUT', 1) ?? 30_000,
      'exportTimeoutMillis',
      1,
    ),
  };
  if (batch.maxExportBatchSize > batch.maxQueueSize) batch.maxExportBatchSize = batch.maxQueueSize;
  const ignoreText = text(env, 'TRIBUTARY_TRACING_IGNORE_PATHS');
  const koaMiddlewareSpansText = text(env, 'TRIBUTARY_KOA_MIDDLEWARE_SPANS');
  const switches = t.instrumentations ?? {};

  const l = options.logging ?? {};
  const levelText = text(env, 'TRIBUTARY_LOG_LEVEL');
  const outputText = text(env, 'TRIBUTARY_LOG_OUTPUT');
  const f = l.forward ?? {};
  const portText = text(env, 'TRIBUTARY_FORWARD_PORT');
  const bufferText = text(env, 'TRIBUTARY_LOG_BUFFER_LIMIT');
  const ackText = text(env, 'TRIBUTARY_FORWARD_ACK_TIMEOUT_MS');
  const shutdownText = text(env, 'TRIBUTARY_SHUTDOWN_TIMEOUT_MS');
  const signalsText = text(env, 'TRIBUTARY_HANDLE_SIGNALS');
  const s = options.shutdown ?? {};

  return {
    serviceName,
    serviceVersion,
    environment,
    kubernetes,
    resource,
    tracing: {
      enabled: tracingEnabled,
      zipkinUrl,
      sampler,
      sampleRatio,
      propagators,
      batch,
      ignoreIncomingPaths: t.ignoreIncomingPaths ?? (ignoreText === undefined ? [] : list(ignoreText)),
      instrumentations: {
        http: switches.http ?? true,
        koa: switches.koa ?? true,
        koaMiddlewareSpans:
          switches.koaMiddlewareSpans ??
          (koaMiddlewareSpansText === undefined
            ? false
            : bool(koaMiddlewareSpansText, 'TRIBUTARY_KOA_MIDDLEWARE_SPANS')),
        undici: switches.undici ?? true,
        grpc: switches.grpc ?? true,
      },
    },
    logging: {
      level: l.level
        ? oneOf(l.level, LOG_LEVELS, 'logging.level')
        : levelText === undefined
          ? 'info'
          : oneOf(levelText, LOG_LEVELS, 'TRIBUTARY_LOG_LEVEL'),
      output: l.output
        ? oneOf(l.output, LOG_OUTPUTS, 'logging.output')
        : outputText === undefined
          ? 'forward'
          : oneOf(outputText, LOG_OUTPUTS, 'TRIBUTARY_LOG_OUTPUT'),
      forward: {
        host: f.host ?? text(env, 'TRIBUTARY_FORWARD_HOST') ?? '127.0.0.1',
        port:
          f.port !== undefined
            ? int(f.port, 'logging.forward.port', 1, 65535)
            : portText === undefined
              ? 24224
              : int(portText, 'TRIBUTARY_FORWARD_PORT', 1, 65535),
        tag: sanitiseTag(f.tag ?? text(env, 'TRIBUTARY_LOG_TAG') ?? serviceName),
        bufferLimit:
          f.bufferLimit !== undefined
            ? int(f.bufferLimit, 'logging.forward.bufferLimit', 1)
            : bufferText === undefined
              ? 10_000
              : int(bufferText, 'TRIBUTARY_LOG_BUFFER_LIMIT', 1),
        ackTimeoutMs:
          f.ackTimeoutMs !== undefined
            ? int(f.ackTimeoutMs, 'logging.forward.ackTimeoutMs', 1)
            : ackText === undefined
              ? 30_000
              : int(ackText, 'TRIBUTARY_FORWARD_ACK_TIMEOUT_MS', 1),
        reconnectInitialMs: int(f.reconnectInitialMs ?? 200, 'logging.forward.reconnectInitialMs', 1),
        reconnectMaxMs: int(f.reconnectMaxMs ?? 30_000, 'logging.forward.reconnectMaxMs', 1),
        flushIntervalMs: int(f.flushIntervalMs ?? 50, 'logging.forward.flushIntervalMs', 1),
      },
    },
    shutdown: {
      timeoutMs:
        s.timeoutMs !== undefined
          ? int(s.timeoutMs, 'shutdown.timeoutMs', 0)
          : shutdownText === undefined
            ? 5000
            : int(shutdownText, 'TRIBUTARY_SHUTDOWN_TIMEOUT_MS', 0),
      handleSignals:
        s.handleSignals ?? (signalsText === undefined ? true : bool(signalsText, 'TRIBUTARY_HANDLE_SIGNALS')),
    },
  };
}

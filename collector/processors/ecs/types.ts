import type { DataStreamType } from './naming.ts';

/** A log event as the Forward receiver hands it over: Fluent's (tag, time, record) triple. */
export interface LogEvent {
  readonly tag: string;
  readonly time: { readonly seconds: number; readonly nanoseconds: number };
  /** Normally a map; anything else is tolerated and kept (see README). */
  readonly record: unknown;
}

export interface ZipkinEndpoint {
  readonly serviceName?: string;
  readonly ipv4?: string;
  readonly ipv6?: string;
  readonly port?: number;
}

export interface ZipkinAnnotation {
  readonly timestamp: number;
  readonly value: string;
}

/** A span per the Zipkin v2 API (`POST /api/v2/spans`). */
export interface ZipkinSpan {
  readonly traceId: string;
  readonly id: string;
  readonly parentId?: string;
  readonly name?: string;
  readonly kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  /** Epoch microseconds. */
  readonly timestamp?: number;
  /** Microseconds. */
  readonly duration?: number;
  readonly localEndpoint?: ZipkinEndpoint;
  readonly remoteEndpoint?: ZipkinEndpoint;
  readonly tags?: Readonly<Record<string, string>>;
  readonly annotations?: readonly ZipkinAnnotation[];
  readonly shared?: boolean;
  readonly debug?: boolean;
}

export interface DataStream {
  type: DataStreamType;
  /** Already sanitised: `[a-z0-9_.]{1,100}`. */
  dataset: string;
  /** Already sanitised: `[a-z0-9_]{1,100}`. */
  namespace: string;
}

type Open = Record<string, unknown>;

/**
 * The ECS document the exporters index. Known fields are typed; everything a record brought
 * that has no ECS meaning stays at its own name, hence the index signature.
 */
export interface EcsDocument {
  '@timestamp': string;
  message?: string;
  log?: Open & { level?: string };
  service?: Open & { name?: string };
  trace?: Open & { id?: string };
  span?: Open & { id?: string; name?: string; kind?: string };
  parent?: { id: string };
  event: Open & {
    id: string;
    dataset?: string;
    severity?: number;
    duration?: number;
    action?: string;
    outcome?: string;
    category?: string[];
  };
  data_stream: DataStream;
  host?: Open & { name?: string };
  kubernetes?: Open;
  container?: Open;
  orchestrator?: Open;
  labels?: Record<string, string>;
  user?: Open & { id?: string; name?: string; roles?: string[] };
  source?: Open & { ip?: string };
  user_agent?: Open & { original?: string };
  audit?: Open & { resource?: { type?: string; id?: string; name?: string }; reason?: string };
  tributary?: {
    /** Set on audit events; the router sends these to Kafka as well. */
    audit?: true;
    /** Record fields whose name an ECS field took, kept verbatim (see README, "Conflicts"). */
    original?: Open;
    /** Set when the event time was unusable and `@timestamp` is the collector's clock. */
    time_invalid?: true;
  };
  [field: string]: unknown;
}

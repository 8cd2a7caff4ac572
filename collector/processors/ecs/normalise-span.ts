import { DEFAULT_NAMESPACE, TRACES_DATASET, sanitiseNamespace } from './naming.ts';
import { formatMicros, formatMillis } from './time.ts';
import type { EcsDocument, ZipkinEndpoint, ZipkinSpan } from './types.ts';
import { isObj, setOwn } from './util.ts';
import type { Obj } from './util.ts';

export interface NormaliseSpanOptions {
  /** Namespace when the span has no namespace tag; must already be sanitised. */
  readonly defaultNamespace: string;
  /** Span tag carrying the Kubernetes namespace (OTel's resource attribute, which its Zipkin exporter turns into a tag). */
  readonly namespaceTag: string;
  /** Clock for spans without a timestamp, in epoch milliseconds. */
  readonly now?: () => number;
}

export const DEFAULT_SPAN_OPTIONS: NormaliseSpanOptions = {
  defaultNamespace: DEFAULT_NAMESPACE,
  namespaceTag: 'k8s.namespace.name',
};

const KINDS = new Set(['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER']);

function isHex(s: string, min: number, max: number): boolean {
  if (s.length < min || s.length > max) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | 0x20;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Zipkin's own normalisation: lower case, left-padded with zeros to 16 or 32 digits. */
export function normaliseZipkinId(id: string): string {
  const lower = id.toLowerCase();
  const width = lower.length <= 16 ? 16 : 32;
  return lower.length === width ? lower : lower.padStart(width, '0');
}

function endpointProblem(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) return `${name} must be an object`;
  const sn = v['serviceName'];
  if (sn !== undefined && typeof sn !== 'string') return `${name}.serviceName must be a string`;
  for (const k of ['ipv4', 'ipv6'] as const) {
    if (v[k] !== undefined && typeof v[k] !== 'string') return `${name}.${k} must be a string`;
  }
  const port = v['port'];
  if (port !== undefined && !(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535)) {
    return `${name}.port must be an integer 0..65535`;
  }
  return undefined;
}

/**
 * Why a value is not a Zipkin v2 span, or undefined when it is one. The Zipkin receiver
 * uses this to reject a bad span with a clear reason; `normaliseSpan` calls it too.
 */
export function zipkinSpanProblem(v: unknown): string | undefined {
  if (!isObj(v)) return 'span must be a JSON object';
  const { traceId, id, parentId, name, kind, timestamp, duration, tags, annotations, shared, debug } = v;
  if (typeof traceId !== 'string' || !isHex(traceId, 1, 32)) return 'traceId must be 1 to 32 hex characters';
  if (typeof id !== 'string' || !isHex(id, 1, 16)) return 'id must be 1 to 16 hex characters';
  if (parentId !== undefined && (typeof parentId !== 'string' || !isHex(parentId, 1, 16))) {
    return 'parentId must be 1 to 16 hex characters';
  }
  if (name !== undefined && typeof name !== 'string') return 'name must be a string';
  if (kind !== undefined && (typeof kind !== 'string' || !KINDS.has(kind))) {
    return 'kind must be one of CLIENT, SERVER, PRODUCER, CONSUMER';
  }
  if (timestamp !== undefined && !(Number.isSafeInteger(timestamp) && (timestamp as number) >= 0)) {
    return 'timestamp must be a non-negative integer (epoch microseconds)';
  }
  if (duration !== undefined && !(Number.isSafeInteger(duration) && (duration as number) >= 0)) {
    return 'duration must be a non-negative integer (microseconds)';
  }
  if (tags !== undefined) {
    if (!isObj(tags)) return 'tags must be an object of strings';
    for (const k of Object.keys(tags)) if (typeof tags[k] !== 'string') return `tags.${k} must be a string`;
  }
  if (annotations !== undefined) {
    if (!Array.isArray(annotations)) return 'annotations must be a list';
    for (const a of annotations as unknown[]) {
      if (!isObj(a) || typeof a['value'] !== 'string' || !Number.isSafeInteger(a['timestamp'])) {
        return 'each annotation must have a numeric timestamp and a string value';
      }
    }
  }
  if (shared !== undefined && typeof shared !== 'boolean') return 'shared must be a boolean';
  if (debug !== undefined && typeof debug !== 'boolean') return 'debug must be a boolean';
  return (
    endpointProblem(v['localEndpoint'], 'localEndpoint') ??
    endpointProblem(v['remoteEndpoint'], 'remoteEndpoint')
  );
}

export class InvalidSpanError extends Error {
  constructor(reason: string) {
    super(`invalid Zipkin span: ${reason}`);
    this.name = 'InvalidSpanError';
  }
}

/** ECS `labels` keys: no dots (they would nest), a safe character set, bounded length. */
export function labelKey(key: string): string {
  let out = '';
  const n = Math.min(key.length, 256);
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    const ok =
      (c >= 97 && c <= 122) ||
      (c >= 65 && c <= 90) ||
      (c >= 48 && c <= 57) ||
      c === 95 ||
      c === 45 ||
      c === 64;
    out += ok ? key[i] : '_';
  }
  return out === '' ? '_' : out;
}

function endpointDoc(e: ZipkinEndpoint): Obj {
  const o: Obj = {};
  if (e.serviceName !== undefined) o['service_name'] = e.serviceName;
  if (e.ipv4 !== undefined) o['ipv4'] = e.ipv4;
  if (e.ipv6 !== undefined) o['ipv6'] = e.ipv6;
  if (e.port !== undefined) o['port'] = e.port;
  return o;
}

/**
 * The Elasticsearch document for a Zipkin v2 span. The span itself is not modified: the
 * Zipkin exporter sends the original. Throws `InvalidSpanError` for a value that is not a span.
 *
 * `event.id` is `<traceId>-<spanId>-<kind>`: stable across resends, and distinct for the
 * client and server halves that share one span id.
 */
export function normaliseSpan(
  span: ZipkinSpan,
  options: NormaliseSpanOptions = DEFAULT_SPAN_OPTIONS,
): EcsDocument {
  const problem = zipkinSpanProblem(span);
  if (problem !== undefined) throw new InvalidSpanError(problem);

  let ts = span.timestamp === undefined ? undefined : formatMicros(span.timestamp);
  const timeInvalid = ts === undefined;
  if (ts === undefined) ts = formatMillis((options.now ?? Date.now)());

  const traceId = normaliseZipkinId(span.traceId);
  const spanId = normaliseZipkinId(span.id);
  const kind = span.kind;
  const spanDoc: NonNullable<EcsDocument['span']> = { id: spanId };
  if (span.name !== undefined) spanDoc.name = span.name;
  if (kind !== undefined) spanDoc.kind = kind;

  const tags = span.tags;
  let namespace = options.defaultNamespace;
  let labels: Record<string, string> | undefined;
  if (tags !== undefined) {
    labels = {};
    for (const k of Object.keys(tags)) setOwn(labels, labelKey(k), tags[k]);
    const ns = Object.hasOwn(tags, options.namespaceTag) ? tags[options.namespaceTag] : undefined;
    if (ns !== undefined) namespace = sanitiseNamespace(ns, options.defaultNamespace);
  }

  const doc: EcsDocument = {
    '@timestamp': ts,
    trace: { id: traceId },
    span: spanDoc,
    event: {
      id: `${traceId}-${spanId}-${kind === undefined ? 'span' : kind.toLowerCase()}`,
      dataset: TRACES_DATASET,
    },
    data_stream: { type: 'traces', dataset: TRACES_DATASET, namespace },
  };
  if (span.parentId !== undefined) doc.parent = { id: normaliseZipkinId(span.parentId) };
  if (span.duration !== undefined) doc.event.duration = span.duration * 1000;
  if (tags !== undefined && Object.hasOwn(tags, 'error')) doc.event.outcome = 'failure';
  const local = span.localEndpoint;
  if (local?.serviceName !== undefined && local.serviceName !== '') doc.service = { name: local.serviceName };
  const ips = [local?.ipv4, local?.ipv6].filter((x): x is string => x !== undefined);
  if (ips.length > 0) doc.host = { ip: ips };
  const remote = span.remoteEndpoint;
  if (remote?.ipv4 !== undefined || remote?.ipv6 !== undefined) {
    const d: Obj = { ip: remote.ipv4 ?? remote.ipv6 };
    if (remote.port !== undefined) d['port'] = remote.port;
    doc.destination = d;
  }
  if (labels !== undefined) doc.labels = labels;

  const z: Obj = {};
  if (local !== undefined) z['local_endpoint'] = endpointDoc(local);
  if (remote !== undefined) z['remote_endpoint'] = endpointDoc(remote);
  if (span.annotations !== undefined && span.annotations.length > 0) z['annotations'] = span.annotations;
  if (span.shared !== undefined) z['shared'] = span.shared;
  if (span.debug !== undefined) z['debug'] = span.debug;
  if (Object.keys(z).length > 0) doc['zipkin'] = z;
  if (timeInvalid) doc.tributary = { time_invalid: true };
  return doc;
}

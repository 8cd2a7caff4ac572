import { applyAudit } from './audit.ts';
import { deriveEventId, usableEventId } from './event-id.ts';
import type { EventOrigin } from './event-id.ts';
import { normaliseLevel } from './level.ts';
import { DEFAULT_DATASET, DEFAULT_NAMESPACE, sanitiseDataset, sanitiseNamespace } from './naming.ts';
import { formatEventTime, formatMillis } from './time.ts';
import type { EcsDocument, LogEvent } from './types.ts';
import { getOwn, isObj, setOwn, str } from './util.ts';
import type { Obj } from './util.ts';

export interface NormaliseLogOptions {
  /** Data stream namespace when the event has no Kubernetes namespace; must already be sanitised. */
  readonly defaultNamespace: string;
  /** Data stream dataset when no service name can be found; must already be sanitised. */
  readonly defaultDataset: string;
  /** Pod labels that name the service, tried in order before the container name. */
  readonly serviceLabelKeys: readonly string[];
  /** Tags whose events are audit events even without `audit: true` (the router's matcher). */
  readonly isAuditTag?: (tag: string) => boolean;
  /** Clock for events whose time is unusable, in epoch milliseconds. */
  readonly now?: () => number;
}

export const DEFAULT_SERVICE_LABEL_KEYS: readonly string[] = ['app.kubernetes.io/name', 'app', 'k8s-app'];

export const DEFAULT_LOG_OPTIONS: NormaliseLogOptions = {
  defaultNamespace: DEFAULT_NAMESPACE,
  defaultDataset: DEFAULT_DATASET,
  serviceLabelKeys: DEFAULT_SERVICE_LABEL_KEYS,
};

/** Longest trace or span id accepted: W3C/B3 ids are 32 hex digits, X-Ray's 35 characters. */
const MAX_ID_LENGTH = 128;

function keep(original: Obj | undefined, key: string, value: unknown): Obj {
  const o = original ?? {};
  setOwn(o, key, value);
  return o;
}

function lowerId(v: unknown): string | undefined {
  const s = str(v, MAX_ID_LENGTH);
  return s === undefined ? undefined : s.toLowerCase();
}

/** Kubernetes label/annotation keys with `.` would become object paths in Elasticsearch (`app` vs `app.kubernetes.io/name`); Beats' dedot. */
function dedot(src: Obj): Obj {
  const out: Obj = {};
  for (const k of Object.keys(src)) setOwn(out, k.includes('.') ? k.replaceAll('.', '_') : k, src[k]);
  return out;
}

/**
 * Maps Fluent Bit's kubernetes filter output (`pod_name`, `namespace_name`, `container_name`,
 * `host`, `pod_id`, `labels`, `annotations`, `docker_id`, `container_image`, ...) to ECS
 * (`kubernetes.pod.name`, `kubernetes.namespace`, `kubernetes.node.name`,
 * `kubernetes.container.name`, `container.id`, `container.image.name`, `orchestrator.*`).
 * Already ECS-shaped input (`pod: {name}`, `namespace`) is kept. Returns the namespace.
 */
function applyKubernetes(doc: EcsDocument, raw: Obj): string | undefined {
  const k: Obj = {};
  let pod: Obj | undefined;
  let node: Obj | undefined;
  let kcontainer: Obj | undefined;
  let namespace: string | undefined;
  let containerId: unknown;
  let image: unknown;
  let imageHash: unknown;
  let containerName: string | undefined;
  for (const key of Object.keys(raw)) {
    const v = raw[key];
    switch (key) {
      case 'pod_name':
        (pod ??= {}).name = v;
        break;
      case 'pod_id':
        (pod ??= {}).uid = v;
        break;
      case 'pod_ip':
        (pod ??= {}).ip = v;
        break;
      case 'namespace_name':
        namespace = str(v, 253) ?? namespace;
        if (namespace === undefined) setOwn(k, key, v);
        break;
      case 'namespace':
        if (typeof v === 'string') namespace ??= str(v, 253);
        else setOwn(k, key, v);
        break;
      case 'host':
        (node ??= {}).name = v;
        break;
      case 'container_name':
        containerName = str(v, 253);
        (kcontainer ??= {}).name = v;
        break;
      case 'labels':
      case 'annotations':
        setOwn(k, key, isObj(v) ? dedot(v) : v);
        break;
      case 'docker_id':
        containerId = v;
        break;
      case 'container_image':
        image = v;
        break;
      case 'container_hash':
        imageHash = v;
        break;
      case 'pod':
        if (isObj(v)) pod = { ...v, ...pod };
        else setOwn(k, key, v);
        break;
      case 'node':
        if (isObj(v)) node = { ...v, ...node };
        else setOwn(k, key, v);
        break;
      case 'container':
        if (isObj(v)) kcontainer = { ...v, ...kcontainer };
        else setOwn(k, key, v);
        break;
      default:
        setOwn(k, key, v);
    }
  }
  if (pod !== undefined) k['pod'] = pod;
  if (namespace !== undefined) k['namespace'] = namespace;
  if (node !== undefined) k['node'] = node;
  if (kcontainer !== undefined) k['container'] = kcontainer;
  doc.kubernetes = k;

  if (containerId !== undefined || image !== undefined || containerName !== undefined) {
    // A record's own ECS `container` fields win over what the filter says.
    const c: Obj = isObj(doc.container) ? { ...doc.container } : {};
    if (containerId !== undefined && c['id'] === undefined) c['id'] = containerId;
    if (containerName !== undefined && c['name'] === undefined) c['name'] = containerName;
    if (image !== undefined && c['image'] === undefined) {
      c['image'] = imageHash === undefined ? { name: image } : { name: image, hash: { all: [imageHash] } };
    }
    doc.container = c;
  }
  const o: Obj = isObj(doc.orchestrator) ? { ...doc.orchestrator } : {};
  o['type'] ??= 'kubernetes';
  if (namespace !== undefined) o['namespace'] ??= namespace;
  doc.orchestrator = o;
  return namespace;
}

function serviceFromKubernetes(raw: Obj, labelKeys: readonly string[]): string | undefined {
  const labels = getOwn(raw, 'labels');
  if (isObj(labels)) {
    for (const key of labelKeys) {
      const v = str(getOwn(labels, key), 253);
      if (v !== undefined) return v;
    }
  }
  return str(getOwn(raw, 'container_name'), 253);
}

function serviceFromTag(tag: string): string | undefined {
  if (typeof tag !== 'string' || tag === '') return undefined;
  // fluent-logger tags are `<prefix>.<label>` with the service as prefix (`orders.access`).
  const dot = tag.indexOf('.');
  return str(dot === -1 ? tag : tag.slice(0, dot), 253);
}

/**
 * Normalises one Forward log event into an ECS document (see README for the mapping).
 * Never throws on odd records and never mutates the input; nested objects of fields
 * passed through unchanged are shared with the input, not copied.
 */
export function normaliseLog(
  event: LogEvent,
  options: NormaliseLogOptions = DEFAULT_LOG_OPTIONS,
  origin?: EventOrigin,
): EcsDocument {
  const tag = event.tag;
  const time = event.time;
  const rec = event.record;
  let ts = isObj(time) ? formatEventTime(time.seconds, time.nanoseconds) : undefined;
  const timeInvalid = ts === undefined;
  if (ts === undefined) ts = formatMillis((options.now ?? Date.now)());

  const doc = { '@timestamp': ts } as EcsDocument;
  let original: Obj | undefined;

  let vMessage: unknown;
  let vMsg: unknown;
  let vLogStr: string | undefined;
  let vLevelEcs: unknown;
  let vLevel: unknown;
  let vSeverity: unknown;
  let vLevelname: unknown;
  let vTraceEcs: unknown;
  let vTraceSnake: unknown;
  let vTraceCamel: unknown;
  let vSpanEcs: unknown;
  let vSpanSnake: unknown;
  let vSpanCamel: unknown;
  let vServiceEcs: unknown;
  let vServiceStr: string | undefined;
  let vHostEcs: unknown;
  let vHostStr: string | undefined;
  let vHostname: unknown;
  let vEventId: unknown;
  let vEventDataset: unknown;
  let logBase: Obj | undefined;
  let traceBase: Obj | undefined;
  let spanBase: Obj | undefined;
  let serviceBase: Obj | undefined;
  let hostBase: Obj | undefined;
  let eventBase: Obj | undefined;
  let k8sRaw: Obj | undefined;
  let auditFlag = false;
  let auditBase: Obj | undefined;

  const recObj = isObj(rec) ? rec : undefined;
  if (recObj !== undefined) {
    for (const key of Object.keys(recObj)) {
      const v = recObj[key];
      switch (key) {
        case 'message':
          vMessage = v;
          break;
        case 'msg':
          vMsg = v;
          break;
        case 'log':
          // Fluent Bit's docker/cri parsers put the line in `log`; ECS `log` is an object.
          if (typeof v === 'string') vLogStr = v;
          else if (isObj(v)) logBase = v;
          else original = keep(original, key, v);
          break;
        case 'log.level':
          vLevelEcs = v;
          break;
        case 'level':
          vLevel = v;
          break;
        case 'severity':
          vSeverity = v;
          break;
        case 'levelname':
          vLevelname = v;
          break;
        case 'trace.id':
          vTraceEcs = v;
          break;
        case 'trace_id':
          vTraceSnake = v;
          break;
        case 'traceId':
          vTraceCamel = v;
          break;
        case 'trace':
          if (isObj(v)) traceBase = v;
          else original = keep(original, key, v);
          break;
        case 'span.id':
          vSpanEcs = v;
          break;
        case 'span_id':
          vSpanSnake = v;
          break;
        case 'spanId':
          vSpanCamel = v;
          break;
        case 'span':
          if (isObj(v)) spanBase = v;
          else original = keep(original, key, v);
          break;
        case 'service.name':
          vServiceEcs = v;
          break;
        case 'service':
          if (isObj(v)) serviceBase = v;
          else if (typeof v === 'string') vServiceStr = v;
          else original = keep(original, key, v);
          break;
        case 'host.name':
          vHostEcs = v;
          break;
        case 'hostname':
          vHostname = v;
          break;
        case 'host':
          if (isObj(v)) hostBase = v;
          else if (typeof v === 'string') vHostStr = v;
          else original = keep(original, key, v);
          break;
        case 'event.id':
          vEventId = v;
          break;
        case 'event.dataset':
          vEventDataset = v;
          break;
        case 'event':
          if (isObj(v)) eventBase = v;
          else original = keep(original, key, v);
          break;
        case 'kubernetes':
          if (isObj(v)) k8sRaw = v;
          else original = keep(original, key, v);
          break;
        case 'audit':
          if (v === true) auditFlag = true;
          else if (isObj(v)) auditBase = v;
          else original = keep(original, key, v);
          break;
        case 'error':
          // `error: "text"` is common; ECS `error` is an object.
          if (isObj(v)) doc.error = v;
          else if (typeof v === 'string') doc.error = { message: v };
          else original = keep(original, key, v);
          break;
        // Fields only the pipeline sets: a record must not choose its data stream or flags.
        case '@timestamp':
        case 'data_stream':
        case 'tributary':
          original = keep(original, key, v);
          break;
        // ECS field sets that are objects: a scalar there would be a mapping conflict.
        case 'agent':
        case 'client':
        case 'cloud':
        case 'container':
        case 'destination':
        case 'ecs':
        case 'file':
        case 'http':
        case 'labels':
        case 'network':
        case 'orchestrator':
        case 'parent':
        case 'process':
        case 'server':
        case 'source':
        case 'transaction':
        case 'url':
        case 'user':
        case 'user_agent':
          if (isObj(v)) setOwn(doc, key, v);
          else original = keep(original, key, v);
          break;
        default: {
          const last = key.length - 1;
          // Names Elasticsearch cannot map ('', '.a', 'a.', 'a..b') or that reach into a scalar ECS field.
          if (
            last < 0 ||
            key.charCodeAt(0) === 46 ||
            key.charCodeAt(last) === 46 ||
            key.startsWith('message.') ||
            key.startsWith('@timestamp.') ||
            key.startsWith('data_stream.') ||
            key.startsWith('tributary.') ||
            key.includes('..')
          ) {
            original = keep(original, key, v);
          } else {
            setOwn(doc, key, v);
          }
        }
      }
    }
  } else if (typeof rec === 'string') {
    vMessage = rec;
  } else {
    original = keep(original, 'record', rec);
  }

  // message: `message`, then `msg`, then `log` (string).
  let message: string | undefined;
  if (typeof vMessage === 'string') message = vMessage;
  else if (typeof vMessage === 'number' || typeof vMessage === 'boolean') message = String(vMessage);
  else if (vMessage !== undefined) original = keep(original, 'message', vMessage);
  if (vMsg !== undefined) {
    if (message === undefined && typeof vMsg === 'string') message = vMsg;
    else setOwn(doc, 'msg', vMsg);
  }
  if (vLogStr !== undefined) {
    if (message === undefined) message = vLogStr;
    else original = keep(original, 'log', vLogStr);
  }
  if (message !== undefined) doc.message = message;

  // log.level: `log.level`, `level`, `severity`, `levelname`; numeric levels also kept as event.severity.
  let level: string | undefined;
  let severity: number | undefined;
  const nestedLevel = vLevelEcs === undefined && logBase !== undefined && Object.hasOwn(logBase, 'level');
  if (nestedLevel) vLevelEcs = logBase?.['level'];
  if (vLevelEcs !== undefined) {
    level = normaliseLevel(vLevelEcs);
    if (level === undefined) original = keep(original, 'log.level', vLevelEcs);
    else if (typeof vLevelEcs === 'number') severity = vLevelEcs;
  }
  if (vLevel !== undefined) {
    const l = level === undefined ? normaliseLevel(vLevel) : undefined;
    if (l === undefined) setOwn(doc, 'level', vLevel);
    else {
      level = l;
      if (typeof vLevel === 'number') severity = vLevel;
    }
  }
  if (vSeverity !== undefined) {
    const l = level === undefined ? normaliseLevel(vSeverity) : undefined;
    if (l === undefined) setOwn(doc, 'severity', vSeverity);
    else {
      level = l;
      if (typeof vSeverity === 'number') severity = vSeverity;
    }
  }
  if (vLevelname !== undefined) {
    const l = level === undefined ? normaliseLevel(vLevelname) : undefined;
    if (l === undefined) setOwn(doc, 'levelname', vLevelname);
    else level = l;
  }
  if (level !== undefined || logBase !== undefined) {
    const log: NonNullable<EcsDocument['log']> = logBase === undefined ? {} : { ...logBase };
    if (level !== undefined) log.level = level;
    else if (nestedLevel) delete log.level;
    doc.log = log;
  }

  // trace.id / span.id
  let traceId = lowerId(vTraceEcs);
  if (traceId === undefined && vTraceEcs !== undefined) original = keep(original, 'trace.id', vTraceEcs);
  traceId ??= traceBase === undefined ? undefined : lowerId(getOwn(traceBase, 'id'));
  if (vTraceSnake !== undefined) {
    if (traceId === undefined) traceId = lowerId(vTraceSnake);
    if (traceId === undefined || lowerId(vTraceSnake) !== traceId) setOwn(doc, 'trace_id', vTraceSnake);
  }
  if (vTraceCamel !== undefined) {
    if (traceId === undefined) traceId = lowerId(vTraceCamel);
    if (traceId === undefined || lowerId(vTraceCamel) !== traceId) setOwn(doc, 'traceId', vTraceCamel);
  }
  if (traceId !== undefined || traceBase !== undefined) {
    const t: NonNullable<EcsDocument['trace']> = traceBase === undefined ? {} : { ...traceBase };
    if (traceId !== undefined) t.id = traceId;
    doc.trace = t;
  }
  let spanId = lowerId(vSpanEcs);
  if (spanId === undefined && vSpanEcs !== undefined) original = keep(original, 'span.id', vSpanEcs);
  spanId ??= spanBase === undefined ? undefined : lowerId(getOwn(spanBase, 'id'));
  if (vSpanSnake !== undefined) {
    if (spanId === undefined) spanId = lowerId(vSpanSnake);
    if (spanId === undefined || lowerId(vSpanSnake) !== spanId) setOwn(doc, 'span_id', vSpanSnake);
  }
  if (vSpanCamel !== undefined) {
    if (spanId === undefined) spanId = lowerId(vSpanCamel);
    if (spanId === undefined || lowerId(vSpanCamel) !== spanId) setOwn(doc, 'spanId', vSpanCamel);
  }
  if (spanId !== undefined || spanBase !== undefined) {
    const s: NonNullable<EcsDocument['span']> = spanBase === undefined ? {} : { ...spanBase };
    if (spanId !== undefined) s.id = spanId;
    doc.span = s;
  }

  // service.name: record, then pod labels / container name, then the tag.
  let serviceName = str(vServiceEcs, 1024);
  if (serviceName === undefined && vServiceEcs !== undefined)
    original = keep(original, 'service.name', vServiceEcs);
  serviceName ??= serviceBase === undefined ? undefined : str(getOwn(serviceBase, 'name'), 1024);
  if (vServiceStr !== undefined) {
    if (serviceName === undefined) serviceName = str(vServiceStr, 1024);
    if (serviceName !== vServiceStr) original = keep(original, 'service', vServiceStr);
  }
  serviceName ??=
    (k8sRaw === undefined ? undefined : serviceFromKubernetes(k8sRaw, options.serviceLabelKeys)) ??
    serviceFromTag(tag);
  if (serviceName !== undefined || serviceBase !== undefined) {
    const s: NonNullable<EcsDocument['service']> = serviceBase === undefined ? {} : { ...serviceBase };
    if (serviceName !== undefined) s.name = serviceName;
    doc.service = s;
  }

  // host.name: record, then the Kubernetes node.
  let hostName = str(vHostEcs, 1024);
  if (hostName === undefined && vHostEcs !== undefined) original = keep(original, 'host.name', vHostEcs);
  hostName ??= hostBase === undefined ? undefined : str(getOwn(hostBase, 'name'), 1024);
  if (vHostStr !== undefined) {
    if (hostName === undefined) hostName = str(vHostStr, 1024);
    if (hostName !== vHostStr) original = keep(original, 'host', vHostStr);
  }
  if (vHostname !== undefined) {
    if (hostName === undefined) hostName = str(vHostname, 1024);
    if (hostName !== vHostname) setOwn(doc, 'hostname', vHostname);
  }
  if (hostName === undefined && k8sRaw !== undefined) hostName = str(getOwn(k8sRaw, 'host'), 1024);
  if (hostName !== undefined || hostBase !== undefined) {
    const h: NonNullable<EcsDocument['host']> = hostBase === undefined ? {} : { ...hostBase };
    if (hostName !== undefined) h.name = hostName;
    doc.host = h;
  }

  let namespace: string | undefined;
  if (k8sRaw !== undefined) namespace = applyKubernetes(doc, k8sRaw);

  // event.id: the record's (instrumentation and tail make stable ones), else derived deterministically.
  let eventId = usableEventId(vEventId);
  if (eventId === undefined && vEventId !== undefined) original = keep(original, 'event.id', vEventId);
  if (eventId === undefined && eventBase !== undefined) {
    const inner = getOwn(eventBase, 'id');
    eventId = usableEventId(inner);
    if (eventId === undefined && inner !== undefined) original = keep(original, 'event.id', inner);
  }
  eventId ??= deriveEventId(tag, time?.seconds, time?.nanoseconds, rec, origin);

  const datasetSource =
    str(vEventDataset, 1024) ??
    (eventBase === undefined ? undefined : str(getOwn(eventBase, 'dataset'), 1024)) ??
    serviceName;
  const dataset =
    datasetSource === undefined
      ? options.defaultDataset
      : sanitiseDataset(datasetSource, options.defaultDataset);
  if (vEventDataset !== undefined && vEventDataset !== dataset)
    original = keep(original, 'event.dataset', vEventDataset);

  const ev: EcsDocument['event'] = eventBase === undefined ? { id: eventId } : { ...eventBase, id: eventId };
  ev.dataset = dataset;
  if (severity !== undefined) ev.severity = severity;
  doc.event = ev;
  doc.data_stream = {
    type: 'logs',
    dataset,
    namespace:
      namespace === undefined
        ? options.defaultNamespace
        : sanitiseNamespace(namespace, options.defaultNamespace),
  };

  const isAudit = auditFlag || (options.isAuditTag !== undefined && options.isAuditTag(tag));
  if (auditBase !== undefined) doc.audit = { ...auditBase };
  if (isAudit) applyAudit(doc, recObj);

  if (isAudit || original !== undefined || timeInvalid) {
    const t: NonNullable<EcsDocument['tributary']> = {};
    if (isAudit) t.audit = true;
    if (original !== undefined) t.original = original;
    if (timeInvalid) {
      t.time_invalid = true;
      (t.original ??= {})['time'] = time;
    }
    doc.tributary = t;
  }
  return doc;
}

/*
 * Elasticsearch names for Tributary's data streams, following Elastic's data stream naming
 * scheme `{type}-{dataset}-{namespace}`. Every part that can come from event data (service
 * names, Kubernetes namespaces) goes through `sanitiseDataset`/`sanitiseNamespace`, which
 * whitelist characters, so no event can pick an index outside the scheme (`_all`, `.kibana`,
 * `logs-*`, another namespace's stream via `-`, a path via `/`).
 *
 * Rules applied (Elasticsearch index names + the scheme's extra ones):
 * - index name: lower case; none of `\ / * ? " < > | , # :` or space; not starting with
 *   `-`, `_`, `+`; not `.` or `..`; at most 255 bytes;
 * - dataset and namespace: no `-` (it separates the parts), at most 100 characters.
 * Here dataset keeps `[a-z0-9_.]` and namespace `[a-z0-9_]`; anything else becomes `_`.
 */

export const MAX_DATASET_LENGTH = 100;
export const MAX_NAMESPACE_LENGTH = 100;
export const MAX_INDEX_NAME_BYTES = 255;

export const DEFAULT_NAMESPACE = 'default';
/** ECS's value for data that has no better dataset. */
export const DEFAULT_DATASET = 'generic';
export const AUDIT_DATASET = 'audit';
export const TRACES_DATASET = 'zipkin';
export const DEAD_LETTER_DATASET = 'tributary.dead_letter';

export type DataStreamType = 'logs' | 'traces' | 'metrics';

/**
 * Datasets that Tributary writes itself. A service that happens to be called `audit`
 * must not land in the audit stream (the audit trail would accept forged entries), so a
 * derived dataset equal to one of these, or starting with `tributary`, gets a `svc_` prefix.
 */
function isReserved(dataset: string): boolean {
  return dataset === AUDIT_DATASET || dataset.startsWith('tributary');
}

function sanitisePart(input: string, max: number, allowDot: boolean): string {
  // Bound the work on hostile megabyte-long names: only the head can survive truncation anyway.
  const n = Math.min(input.length, max * 4);
  let out = '';
  let pendingUnderscore = false;
  for (let i = 0; i < n; i++) {
    let c = input.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    const ok = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (allowDot && c === 46);
    if (ok) {
      if (pendingUnderscore && out !== '') out += '_';
      pendingUnderscore = false;
      out += String.fromCharCode(c);
    } else {
      // `_` itself, `-`, and every other character: runs collapse into one `_`, leading ones vanish.
      pendingUnderscore = true;
    }
    if (out.length >= max) break;
  }
  if (out.length > max) out = out.slice(0, max);
  // `.`/`_` at either end read badly, and `..` alone would be odd: trim them.
  let start = 0;
  let end = out.length;
  while (start < end && (out.charCodeAt(start) === 46 || out.charCodeAt(start) === 95)) start++;
  while (end > start && (out.charCodeAt(end - 1) === 46 || out.charCodeAt(end - 1) === 95)) end--;
  return start === 0 && end === out.length ? out : out.slice(start, end);
}

const datasetCache = new Map<string, string>();
const namespaceCache = new Map<string, string>();
const CACHE_LIMIT = 4096;

function cached(cache: Map<string, string>, key: string, make: () => string): string {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const v = make();
  if (key.length <= 256) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, v);
  }
  return v;
}

/** A data stream dataset from untrusted text (usually a service name); `fallback` when nothing is left. */
export function sanitiseDataset(input: string, fallback: string = DEFAULT_DATASET): string {
  const v = cached(datasetCache, input, () => {
    const s = sanitisePart(input, MAX_DATASET_LENGTH, true);
    return s !== '' && isReserved(s) ? `svc_${s}`.slice(0, MAX_DATASET_LENGTH) : s;
  });
  return v === '' ? fallback : v;
}

/** A data stream namespace from untrusted text (usually a Kubernetes namespace). */
export function sanitiseNamespace(input: string, fallback: string = DEFAULT_NAMESPACE): string {
  const v = cached(namespaceCache, input, () => sanitisePart(input, MAX_NAMESPACE_LENGTH, false));
  return v === '' ? fallback : v;
}

/** Why `part` is not a valid dataset (or namespace, when `isNamespace`), or undefined when it is. */
export function dataStreamPartProblem(part: string, isNamespace = false): string | undefined {
  const what = isNamespace ? 'namespace' : 'dataset';
  if (part === '') return `${what} is empty`;
  const max = isNamespace ? MAX_NAMESPACE_LENGTH : MAX_DATASET_LENGTH;
  if (part.length > max) return `${what} is longer than ${max} characters`;
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || (!isNamespace && c === 46);
    if (!ok)
      return `${what} ${JSON.stringify(part)} has a character outside ${isNamespace ? '[a-z0-9_]' : '[a-z0-9_.]'}`;
  }
  return undefined;
}

/** Why `name` is not a valid Elasticsearch index or data stream name, or undefined when it is. */
export function indexNameProblem(name: string): string | undefined {
  if (name === '') return 'index name is empty';
  if (name === '.' || name === '..') return 'index name cannot be "." or ".."';
  if (Buffer.byteLength(name) > MAX_INDEX_NAME_BYTES)
    return `index name is longer than ${MAX_INDEX_NAME_BYTES} bytes`;
  if (name !== name.toLowerCase()) return 'index name must be lower case';
  const first = name.charCodeAt(0);
  if (first === 45 || first === 95 || first === 43) return 'index name cannot start with -, _ or +';
  for (const ch of name) {
    if ('\\/*?"<>|, #:'.includes(ch)) return `index name cannot contain ${JSON.stringify(ch)}`;
    if (ch.charCodeAt(0) < 32) return 'index name cannot contain control characters';
  }
  return undefined;
}

/**
 * `{type}-{dataset}-{namespace}`, refusing (throwing) rather than building a name from
 * parts that did not go through the sanitisers: a bug upstream must not become a write
 * into someone else's index.
 */
export function dataStreamName(type: DataStreamType, dataset: string, namespace: string): string {
  const problem = dataStreamPartProblem(dataset) ?? dataStreamPartProblem(namespace, true);
  if (problem !== undefined) throw new RangeError(`refusing to build a data stream name: ${problem}`);
  return `${type}-${dataset}-${namespace}`;
}

export const logsDataStream = (dataset: string, namespace: string): string =>
  dataStreamName('logs', dataset, namespace);
export const tracesDataStream = (namespace: string): string =>
  dataStreamName('traces', TRACES_DATASET, namespace);
export const auditDataStream = (namespace: string): string =>
  dataStreamName('logs', AUDIT_DATASET, namespace);
/** Where documents Elasticsearch rejected go, per namespace so that isolation by namespace still holds. */
export const deadLetterDataStream = (namespace: string): string =>
  dataStreamName('logs', DEAD_LETTER_DATASET, namespace);

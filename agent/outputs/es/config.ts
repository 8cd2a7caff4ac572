// Maps a loaded `[OUTPUT] Name es` section (typed `values`, defaults applied, keys lower-cased)
// onto EsOptions. The registry validated types and allowed values; this reads and combines.
import { getBool, getNumber, getString } from '../../config/access.ts';
import type { TypedValue } from '../../config/types.ts';

export type WriteOperation = 'create' | 'index' | 'update' | 'upsert';

export interface EsTlsOptions {
  verify: boolean;
  caFile?: string;
  caPath?: string;
  crtFile?: string;
  keyFile?: string;
  keyPasswd?: string;
  vhost?: string;
}

export type EsAuth = { username: string; password: string } | { apiKey: string };

export interface EsOptions {
  /** `http(s)://host:port/path`; absent with Cloud_ID. */
  url?: string;
  cloudId?: string;
  auth?: EsAuth;
  /** Present when `tls On` (or Cloud_ID). */
  tls?: EsTlsOptions;
  compress: boolean;
  pipeline?: string;
  index: string;
  type: string;
  suppressTypeName: boolean;
  logstashFormat: boolean;
  logstashPrefix: string;
  logstashPrefixKey?: string;
  logstashPrefixSeparator: string;
  logstashDateFormat: string;
  currentTimeIndex: boolean;
  timeKey: string;
  timeKeyFormat: string;
  timeKeyNanos: boolean;
  includeTagKey: boolean;
  tagKey: string;
  generateId: boolean;
  idKey?: string;
  writeOperation: WriteOperation;
  replaceDots: boolean;
  traceOutput: boolean;
  traceError: boolean;
  connectTimeoutMs: number;
  keepalive: boolean;
  keepaliveIdleTimeoutMs: number;
}

type Values = Readonly<Record<string, TypedValue>>;

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** `Path` as a URL path prefix: leading slash, no trailing one, empty for none. */
export function normalisePath(path: string | undefined): string {
  const p = (path ?? '').trim().replace(/\/+$/, '');
  if (p === '') return '';
  return p.startsWith('/') ? p : '/' + p;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

function auth(values: Values): EsAuth | undefined {
  const apiKey = nonEmpty(getString(values, 'HTTP_API_Key'));
  if (apiKey !== undefined) return { apiKey };
  const cloudAuth = nonEmpty(getString(values, 'Cloud_Auth'));
  if (cloudAuth !== undefined) {
    const colon = cloudAuth.indexOf(':');
    if (colon > 0) return { username: cloudAuth.slice(0, colon), password: cloudAuth.slice(colon + 1) };
  }
  const user = nonEmpty(getString(values, 'HTTP_User'));
  if (user !== undefined) return { username: user, password: getString(values, 'HTTP_Passwd') ?? '' };
  return undefined;
}

function tls(values: Values): EsTlsOptions {
  const out: EsTlsOptions = { verify: getBool(values, 'tls.verify') ?? true };
  const keys = [
    ['caFile', 'tls.ca_file'],
    ['caPath', 'tls.ca_path'],
    ['crtFile', 'tls.crt_file'],
    ['keyFile', 'tls.key_file'],
    ['keyPasswd', 'tls.key_passwd'],
    ['vhost', 'tls.vhost'],
  ] as const;
  for (const [field, key] of keys) {
    const v = nonEmpty(getString(values, key));
    if (v !== undefined) out[field] = v;
  }
  return out;
}

export class EsConfigError extends Error {
  override readonly name = 'EsConfigError';
}

export function esOptionsFromConfig(values: Values): EsOptions {
  const writeOperation = (getString(values, 'Write_Operation') ?? 'create').toLowerCase() as WriteOperation;
  const generateId = getBool(values, 'Generate_ID') ?? false;
  const idKey = nonEmpty(getString(values, 'ID_Key'));
  // Fluent Bit refuses this at start: an update needs an `_id` to address.
  if ((writeOperation === 'update' || writeOperation === 'upsert') && !generateId && idKey === undefined)
    throw new EsConfigError(
      `es: Write_Operation ${writeOperation} needs Id_Key or Generate_ID (a record's event.id is used first when present)`,
    );
  const cloudId = nonEmpty(getString(values, 'Cloud_ID'));
  const useTls = (getBool(values, 'tls') ?? false) || cloudId !== undefined;
  const out: EsOptions = {
    compress: (getString(values, 'Compress') ?? '').toLowerCase() === 'gzip',
    index: getString(values, 'Index') ?? 'fluent-bit',
    type: getString(values, 'Type') ?? '_doc',
    suppressTypeName: getBool(values, 'Suppress_Type_Name') ?? false,
    logstashFormat: getBool(values, 'Logstash_Format') ?? false,
    logstashPrefix: getString(values, 'Logstash_Prefix') ?? 'logstash',
    logstashPrefixSeparator: getString(values, 'Logstash_Prefix_Separator') ?? '-',
    logstashDateFormat: getString(values, 'Logstash_DateFormat') ?? '%Y.%m.%d',
    currentTimeIndex: getBool(values, 'Current_Time_Index') ?? false,
    timeKey: getString(values, 'Time_Key') ?? '@timestamp',
    timeKeyFormat: getString(values, 'Time_Key_Format') ?? '%Y-%m-%dT%H:%M:%S',
    timeKeyNanos: getBool(values, 'Time_Key_Nanos') ?? false,
    includeTagKey: getBool(values, 'Include_Tag_Key') ?? false,
    tagKey: getString(values, 'Tag_Key') ?? '_flb-key',
    generateId,
    writeOperation,
    replaceDots: getBool(values, 'Replace_Dots') ?? false,
    traceOutput: getBool(values, 'Trace_Output') ?? false,
    traceError: getBool(values, 'Trace_Error') ?? false,
    connectTimeoutMs: (getNumber(values, 'net.connect_timeout') ?? 10) * 1000,
    keepalive: getBool(values, 'net.keepalive') ?? true,
    keepaliveIdleTimeoutMs: (getNumber(values, 'net.keepalive_idle_timeout') ?? 30) * 1000,
  };
  if (cloudId !== undefined) out.cloudId = cloudId;
  else {
    const scheme = useTls ? 'https' : 'http';
    const host = getString(values, 'Host') ?? '127.0.0.1';
    const port = getNumber(values, 'Port') ?? 9200;
    out.url = `${scheme}://${hostForUrl(host)}:${port}${normalisePath(getString(values, 'Path'))}`;
  }
  const a = auth(values);
  if (a !== undefined) out.auth = a;
  if (useTls) out.tls = tls(values);
  const pipeline = nonEmpty(getString(values, 'Pipeline'));
  if (pipeline !== undefined) out.pipeline = pipeline;
  const prefixKey = nonEmpty(getString(values, 'Logstash_Prefix_Key'));
  if (prefixKey !== undefined) out.logstashPrefixKey = prefixKey;
  if (idKey !== undefined) out.idKey = idKey;
  return out;
}

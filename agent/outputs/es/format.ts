// Turns a chunk into one `_bulk` NDJSON string, Fluent Bit's es_format way: each record gets the
// time key (and the tag key) in front of its own keys, an action line naming the index and `_id`,
// and is serialised exactly once (the added keys are spliced into the record's JSON rather than
// copying the record into a new object).
import { createHash } from 'node:crypto';
import { MAX_ID_BYTES } from '../../../collector/exporters/elasticsearch/bulk.ts';
import type { Chunk, LogEvent } from '../../engine/types.ts';
import { compileAccessor, compileTemplate } from './accessor.ts';
import type { EsOptions } from './config.ts';
import { cachedStrftime } from './strftime.ts';
import type { Strftime } from './strftime.ts';

export interface EncodedChunk {
  /** The `_bulk` body: two lines per event (action, source), newline-terminated. */
  body: string;
  /** For each bulk item, in order, the position of its event in `chunk.events`. */
  positions: number[];
}

export interface FormatWarnings {
  /** An `_id` candidate could not be used (not a string, empty, too long): the item goes without it. */
  badId(source: 'Id_Key' | 'event.id', reason: string): void;
}

/** Fluent Bit truncates a Logstash_Prefix_Key value to 128 bytes; characters here. */
const MAX_PREFIX = 128;

/** `record['event.id']` (flat, as Tributary's inputs write it) or `record.event.id`. */
export function eventIdOf(record: Readonly<Record<string, unknown>>): unknown {
  const flat = record['event.id'];
  if (flat !== undefined) return flat;
  const event = record.event;
  return typeof event === 'object' && event !== null && !Array.isArray(event)
    ? (event as Record<string, unknown>).id
    : undefined;
}

function idProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return `not a string (${id === null ? 'null' : typeof id})`;
  if (id === '') return 'empty';
  // Elasticsearch fails the whole request, not the item, for a longer `_id`.
  if (id.length * 3 > MAX_ID_BYTES && Buffer.byteLength(id) > MAX_ID_BYTES)
    return `longer than ${MAX_ID_BYTES} bytes`;
  return undefined;
}

/** Generate_ID: a UUID-shaped hash of the final document, so a re-sent record gets the same `_id`. */
export function generatedId(source: string): string {
  const h = createHash('sha256').update(source).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Replace_Dots: `.` in keys becomes `_`, in nested maps and maps inside arrays too. Copies only what changes. */
export function replaceDots(value: unknown): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const r = replaceDots(v);
      if (r !== v) (out ??= value.slice())[i] = r;
    }
    return out ?? value;
  }
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  const src = value as Record<string, unknown>;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const k in src) {
    if (!Object.hasOwn(src, k)) continue;
    const v = src[k];
    const r = replaceDots(v);
    const key = k.includes('.') ? k.replaceAll('.', '_') : k;
    if (key !== k || r !== v) changed = true;
    out[key] = r;
  }
  return changed ? out : value;
}

/** What JSON.stringify cannot take as it comes from msgpack: bigints and binary. */
function jsonSafe(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
  return v;
}

export function stringifyRecord(record: unknown): string {
  try {
    return JSON.stringify(record);
  } catch {
    // Rare: a bigint (uint64 from msgpack). Only then pay for the replacer.
    return JSON.stringify(record, jsonSafe);
  }
}

/** Nanoseconds as Fluent Bit prints them after the seconds: `.123Z` or, with Time_Key_Nanos, `.123456789Z`. */
function fraction(nsec: number, nanos: boolean): string {
  return nanos
    ? '.' + String(nsec).padStart(9, '0') + 'Z'
    : '.' + String(Math.floor(nsec / 1_000_000)).padStart(3, '0') + 'Z';
}

export class BulkFormatter {
  readonly #o: EsOptions;
  readonly #warn: FormatWarnings;
  readonly #timeKeyJson: string;
  readonly #timeFormat: Strftime;
  readonly #indexFormat: Strftime;
  readonly #dateFormat: Strftime;
  readonly #idKey: ((r: Readonly<Record<string, unknown>>) => unknown) | undefined;
  readonly #prefixKey: ((r: Readonly<Record<string, unknown>>, tag: string) => string) | undefined;
  readonly #actionPrefixes = new Map<string, string>();
  #suppressTypeName: boolean;

  constructor(options: EsOptions, warnings: FormatWarnings) {
    this.#o = options;
    this.#warn = warnings;
    this.#suppressTypeName = options.suppressTypeName;
    this.#timeKeyJson = JSON.stringify(options.timeKey) + ':';
    this.#timeFormat = cachedStrftime(options.timeKeyFormat);
    this.#indexFormat = cachedStrftime(options.index);
    this.#dateFormat = cachedStrftime(options.logstashDateFormat);
    this.#idKey = options.idKey === undefined ? undefined : compileAccessor(options.idKey);
    this.#prefixKey =
      options.logstashPrefixKey === undefined ? undefined : compileTemplate(options.logstashPrefixKey);
  }

  /** Whether action lines carry `_type` (Suppress_Type_Name Off, until Elasticsearch refuses it). */
  get sendsType(): boolean {
    return !this.#suppressTypeName;
  }

  /** Leaves `_type` out from now on. */
  dropTypeName(): void {
    this.#suppressTypeName = true;
    this.#actionPrefixes.clear();
  }

  /** Encodes the events of `chunk` not marked in `done` (items delivered by an earlier attempt). */
  encode(chunk: Chunk, done?: Uint8Array): EncodedChunk {
    const nowSec = Math.floor(Date.now() / 1000);
    const plainIndex = this.#o.logstashFormat ? '' : this.#indexFormat(nowSec);
    const tagPair = this.#tagPair(chunk.tag);
    let body = '';
    const positions: number[] = [];
    for (let i = 0; i < chunk.events.length; i++) {
      if (done !== undefined && done[i] === 1) continue;
      const event = chunk.events[i] as LogEvent;
      const source = this.source(event, tagPair);
      const index = this.#o.logstashFormat ? this.#logstashIndex(event, chunk.tag, nowSec) : plainIndex;
      body += this.#action(index, this.#id(event.record, source)) + this.#payload(source) + '\n';
      positions.push(i);
    }
    return { body, positions };
  }

  /** The document of one event as sent (for Trace_Error), without the action line. */
  describe(chunk: Chunk, position: number): string {
    const event = chunk.events[position];
    if (event === undefined) return '';
    return this.source(event, this.#tagPair(chunk.tag));
  }

  /** `"Tag_Key":"tag"`, serialised once per chunk; empty without Include_Tag_Key. */
  #tagPair(tag: string): string {
    return this.#o.includeTagKey ? JSON.stringify(this.#o.tagKey) + ':' + JSON.stringify(tag) : '';
  }

  /** The record with Time_Key and Tag_Key in front; keys the record already has are left as they are. */
  source(event: LogEvent, tagPair: string): string {
    const record = this.#o.replaceDots
      ? (replaceDots(event.record) as Record<string, unknown>)
      : event.record;
    let head = '';
    if (!Object.hasOwn(record, this.#o.timeKey)) {
      const when = this.#timeFormat(event.sec) + fraction(event.nsec, this.#o.timeKeyNanos);
      head = this.#timeKeyJson + JSON.stringify(when);
    }
    if (tagPair !== '' && !Object.hasOwn(record, this.#o.tagKey)) head += (head === '' ? '' : ',') + tagPair;
    const json = stringifyRecord(record);
    if (head === '') return json;
    return json === '{}' ? '{' + head + '}' : '{' + head + ',' + json.slice(1);
  }

  #logstashIndex(event: LogEvent, tag: string, nowSec: number): string {
    let prefix = this.#o.logstashPrefix;
    if (this.#prefixKey !== undefined) {
      const v = this.#prefixKey(event.record, tag);
      if (v !== '') prefix = v.length > MAX_PREFIX ? v.slice(0, MAX_PREFIX) : v;
    }
    return (
      prefix +
      this.#o.logstashPrefixSeparator +
      this.#dateFormat(this.#o.currentTimeIndex ? nowSec : event.sec)
    );
  }

  /** Id_Key, then the record's own event.id (Tributary's delivery guarantee), then Generate_ID. */
  #id(record: Readonly<Record<string, unknown>>, source: string): string | undefined {
    if (this.#idKey !== undefined) {
      const v = this.#idKey(record);
      const problem = v === undefined ? 'missing' : idProblem(v);
      if (problem === undefined) return v as string;
      this.#warn.badId('Id_Key', problem);
    }
    const eid = eventIdOf(record);
    if (eid !== undefined) {
      const problem = idProblem(eid);
      if (problem === undefined) return eid as string;
      this.#warn.badId('event.id', problem);
    }
    return this.#o.generateId ? generatedId(source) : undefined;
  }

  #action(index: string, id: string | undefined): string {
    let prefix = this.#actionPrefixes.get(index);
    if (prefix === undefined) {
      prefix =
        '{"' +
        (this.#o.writeOperation === 'upsert' ? 'update' : this.#o.writeOperation) +
        '":{"_index":' +
        JSON.stringify(index) +
        (this.#suppressTypeName ? '' : ',"_type":' + JSON.stringify(this.#o.type));
      // Logstash indices change daily and Index may hold a strftime: keep the cache bounded.
      if (this.#actionPrefixes.size >= 256) this.#actionPrefixes.clear();
      this.#actionPrefixes.set(index, prefix);
    }
    return prefix + (id === undefined ? '}}\n' : ',"_id":' + JSON.stringify(id) + '}}\n');
  }

  #payload(source: string): string {
    switch (this.#o.writeOperation) {
      case 'update':
        return '{"doc":' + source + '}';
      case 'upsert':
        return '{"doc_as_upsert":true,"doc":' + source + '}';
      default:
        return source;
    }
  }
}

// The engine's plugin contracts. Inputs hand the engine chunks of events; filters rewrite them;
// outputs deliver them. Delivery is ack-gated end to end: an output's flush() resolves only when
// the destination has the chunk durably, and only then does the input commit (tail offset, Forward
// ack to the sender). The engine owns routing, buffering, retries and the Fluent Bit metrics, so
// plugins hold no counters of their own.
import type { Logger } from '../../common/log/logger.ts';
import type { AgentConfig, InputInstance, RoutedInstance } from '../config/types.ts';

/** The record key carrying DESIGN.md's `event.id`, stable across retries and re-reads. */
export const EVENT_ID_KEY = 'event.id';

/** One Fluent event: time (EventTime precision) and record. The tag lives on the chunk. */
export interface LogEvent {
  /** Whole seconds since the epoch. */
  sec: number;
  /** Nanoseconds within the second, 0..999_999_999. */
  nsec: number;
  record: Record<string, unknown>;
}

/** Events of one tag, as one input (or a rewrite_tag emitter) produced them. */
export interface Chunk {
  readonly tag: string;
  /** The events. A chunk that arrived `encoded` decodes them on first access: count with eventCount(). */
  readonly events: readonly LogEvent[];
  /** Bytes the events took at the source (lines, frames): what Mem_Buf_Limit and the metrics count. */
  readonly bytes: number;
  /**
   * The same events as a MessagePackEventStream (Forward's entries), when an input made them in a
   * worker thread. Outputs that send msgpack (forward, filesystem storage) use it as is, so the
   * records are never turned into objects on the main thread.
   */
  readonly encoded?: EncodedEvents;
}

export interface EncodedEvents {
  readonly stream: Uint8Array;
  readonly count: number;
}

/** Events in a chunk, without decoding an encoded one. */
export function eventCount(chunk: Chunk): number {
  return chunk.encoded === undefined ? chunk.events.length : chunk.encoded.count;
}

/**
 * Fluent Bit's flush results: `ok` the destination has the chunk; `retry` a transient failure
 * (the engine retries with backoff up to Retry_Limit); `error` the chunk can never be delivered
 * (the engine drops and counts it). A rejected promise counts as `retry`.
 */
export type FlushResult = 'ok' | 'retry' | 'error';

export interface OutputPlugin {
  start(): Promise<void>;
  /** Delivers one chunk. At most `Workers` (min 1) flushes run at once per output. */
  flush(chunk: Chunk): Promise<FlushResult>;
  /** Closes connections; no flush() is in progress when this is called. */
  stop(): Promise<void>;
}

/** Re-injects an event under a new tag at the start of the pipeline (rewrite_tag's emitter). */
export type EmitFn = (tag: string, event: LogEvent) => void;

export interface FilterPlugin {
  /**
   * Returns the events to keep, in order (the input array, edited in place, or a new one). Events
   * may be changed in place. Synchronous filters keep the hot path free of promise hops; the
   * kubernetes filter may return a promise while it looks a pod up.
   */
  filter(tag: string, events: LogEvent[], emit: EmitFn): LogEvent[] | Promise<LogEvent[]>;
  /** Timers and connections to release at shutdown. */
  stop?(): Promise<void> | void;
}

export interface PluginContext {
  readonly logger: Logger;
  /** The whole loaded config: parsers for the kubernetes filter, the main file's folder for Upstream. */
  readonly config: AgentConfig;
}

/** What an input tells the engine about a chunk's fate. */
export interface IngestCallbacks {
  /**
   * The agent holds the chunk safely: with `storage.type filesystem` once it is on disk, with
   * memory storage once every output has it. The forward input acks its sender here.
   */
  readonly onStored?: () => void;
  /** Every output the chunk was routed to has it (or dropped it, counted). Tail commits offsets here. */
  readonly onDelivered?: () => void;
}

export interface InputHost {
  /** Hands a chunk to the pipeline. The events array is the engine's from now on. */
  ingest(chunk: Chunk, callbacks?: IngestCallbacks): void;
}

export interface InputPlugin {
  /** Resolves once listening / reading. */
  start(): Promise<void>;
  /** Stop reading (buffers are full); nothing is dropped. */
  pause(): void;
  resume(): void;
  /** Stop reading for good and release files and sockets; acks still pending are not sent. */
  stop(): Promise<void>;
  /** The port a network input listens on (after start; useful with `Port 0`). */
  listeningPort?(): number | undefined;
  /** Fluent Bit-named Prometheus lines of the input's own (beyond records/bytes), if any. */
  prometheus?(): string;
}

export type InputFactory = (instance: InputInstance, ctx: PluginContext, host: InputHost) => InputPlugin;
export type OutputFactory = (instance: RoutedInstance, ctx: PluginContext) => OutputPlugin;
export type FilterFactory = (instance: RoutedInstance, ctx: PluginContext) => FilterPlugin;

/** Fluent Bit's per-instance counters, named as in its `/api/v1/metrics` JSON. */
export interface InputCounters {
  records: number;
  bytes: number;
}

export interface FilterCounters {
  add_records: number;
  drop_records: number;
}

export interface OutputCounters {
  proc_records: number;
  proc_bytes: number;
  errors: number;
  retries: number;
  retries_failed: number;
  dropped_records: number;
  retried_records: number;
}

/** An output's counters as it starts. */
export function zeroOutputCounters(): OutputCounters {
  return {
    proc_records: 0,
    proc_bytes: 0,
    errors: 0,
    retries: 0,
    retries_failed: 0,
    dropped_records: 0,
    retried_records: 0,
  };
}

/** Keyed by instance name (`tail.0`, or the Alias). Live objects: read, never write. */
export interface MetricsSnapshot {
  readonly input: Readonly<Record<string, Readonly<InputCounters>>>;
  readonly filter: Readonly<Record<string, Readonly<FilterCounters>>>;
  readonly output: Readonly<Record<string, Readonly<OutputCounters>>>;
}

// The agent's pipeline: inputs -> filters (by Match) -> outputs (by Match), Fluent Bit's model.
// The engine owns what plugins should not each re-invent: routing, Mem_Buf_Limit backpressure,
// filesystem buffering, retries and the Fluent Bit counters. Data flows as chunks (one tag, many
// events); per record there is no engine work beyond what filters do.
import { once } from 'node:events';
import { join } from 'node:path';
import type { Logger } from '../../common/log/logger.ts';
import { QueueFullError } from '../../common/queue/index.ts';
import { getNumber, getString } from '../config/access.ts';
import type { AgentConfig, InputInstance, RoutedInstance } from '../config/types.ts';
import { ChunkStore } from './chunk-store.ts';
import { Delivery } from './delivery.ts';
import { OutputRunner } from './output-runner.ts';
import type { RetryPolicy } from './output-runner.ts';
import { RouteTable } from './routes.ts';
import type { Route } from './routes.ts';
import { eventCount } from './types.ts';
import type {
  Chunk,
  FilterCounters,
  FilterFactory,
  FilterPlugin,
  IngestCallbacks,
  InputCounters,
  InputFactory,
  InputPlugin,
  LogEvent,
  MetricsSnapshot,
  OutputFactory,
  PluginContext,
} from './types.ts';

/**
 * Memory bound of an input without Mem_Buf_Limit. Fluent Bit has none there, which is how a slow
 * output grows it without limit; Tributary always bounds what is held for the outputs.
 */
export const DEFAULT_MEM_BUF_LIMIT = 10 * 1000 * 1000;
/** rewrite_tag re-emitting into itself: Fluent Bit would loop; the engine stops here and counts. */
const MAX_REEMIT_DEPTH = 8;

export interface PluginFactories {
  readonly inputs: Readonly<Record<string, InputFactory>>;
  readonly filters: Readonly<Record<string, FilterFactory>>;
  readonly outputs: Readonly<Record<string, OutputFactory>>;
}

export interface EngineOptions {
  readonly logger: Logger;
  readonly factories: PluginFactories;
}

interface InputSlot {
  readonly instance: InputInstance;
  plugin: InputPlugin | undefined;
  readonly counters: InputCounters;
  readonly memLimit: number;
  readonly store: ChunkStore | undefined;
  /** Bytes ingested and not yet stored: what Mem_Buf_Limit bounds. */
  inflight: number;
  pausedForMemory: boolean;
  pausedForDisk: boolean;
  /** Chunks whose async filters are still running: later chunks wait so order is kept. */
  chain: Promise<void> | undefined;
}

interface FilterSlot {
  readonly instance: RoutedInstance;
  readonly plugin: FilterPlugin;
  readonly counters: FilterCounters;
  /** The input whose records rewrite_tag re-emits (`emitter_for_<name>`), when the filter emits. */
  readonly emitterName: string;
  readonly emits: boolean;
}

interface OutputSlot {
  readonly instance: RoutedInstance;
  readonly runner: OutputRunner;
}

/** Stored chunks handed to outputs, by input store and sequence: which Delivery they belong to. */
interface LiveStored {
  readonly delivery: Delivery;
  /** Outputs that have not ended it yet. */
  remaining: number;
}

function retryPolicy(output: RoutedInstance, config: AgentConfig): RetryPolicy {
  const limit = output.values['retry_limit'];
  return {
    limit: typeof limit === 'number' ? limit : false,
    baseMs: (getNumber(config.service.values, 'scheduler.base') ?? 5) * 1000,
    capMs: (getNumber(config.service.values, 'scheduler.cap') ?? 2000) * 1000,
  };
}

const noEmit = (): void => {
  throw new Error('only rewrite_tag may emit records');
};

export class Engine {
  readonly config: AgentConfig;
  private readonly log: Logger;
  private readonly inputs: InputSlot[] = [];
  private readonly filters: FilterSlot[] = [];
  private readonly outputs: OutputSlot[] = [];
  private readonly emitterCounters = new Map<string, InputCounters>();
  private readonly routes: RouteTable<FilterSlot, OutputSlot>;
  private readonly liveStored = new Map<ChunkStore, Map<number, LiveStored>>();
  private stopping = false;

  private constructor(config: AgentConfig, log: Logger) {
    this.config = config;
    this.log = log;
    this.routes = new RouteTable(this.filters, this.outputs, config.inputs.length === 1);
  }

  /** Builds and starts every plugin; on a failure, stops what was started and rethrows. */
  static async start(config: AgentConfig, options: EngineOptions): Promise<Engine> {
    const engine = new Engine(config, options.logger);
    try {
      await engine.build(options.factories);
    } catch (error) {
      await engine.stop(0);
      throw error;
    }
    return engine;
  }

  private async build(factories: PluginFactories): Promise<void> {
    const ctx = (name: string): PluginContext => ({
      logger: this.log.child({ plugin: name }),
      config: this.config,
    });
    for (const instance of this.config.outputs) {
      const factory = factories.outputs[instance.name];
      if (factory === undefined) throw new Error(`output plugin ${instance.name} is not available`);
      const plugin = factory(instance, ctx(instance.instanceName));
      const workers = getNumber(instance.values, 'workers') ?? 1;
      const runner = new OutputRunner(
        instance.instanceName,
        plugin,
        workers,
        retryPolicy(instance, this.config),
        this.log,
      );
      this.outputs.push({ instance, runner });
    }
    for (const instance of this.config.filters) {
      const factory = factories.filters[instance.name];
      if (factory === undefined) throw new Error(`filter plugin ${instance.name} is not available`);
      this.filters.push({
        instance,
        plugin: factory(instance, ctx(instance.instanceName)),
        counters: { add_records: 0, drop_records: 0 },
        emitterName: getString(instance.values, 'emitter_name') ?? `emitter_for_${instance.instanceName}`,
        emits: instance.name === 'rewrite_tag',
      });
    }
    await Promise.all(this.outputs.map((o) => o.runner.start()));
    for (const instance of this.config.inputs) {
      const slot: InputSlot = {
        instance,
        plugin: undefined,
        counters: { records: 0, bytes: 0 },
        memLimit: getNumber(instance.values, 'mem_buf_limit') || DEFAULT_MEM_BUF_LIMIT,
        store: await this.openStore(instance),
        inflight: 0,
        pausedForMemory: false,
        pausedForDisk: false,
        chain: undefined,
      };
      this.inputs.push(slot);
      const factory = factories.inputs[instance.name];
      if (factory === undefined) throw new Error(`input plugin ${instance.name} is not available`);
      slot.plugin = factory(instance, ctx(instance.instanceName), {
        ingest: (chunk, callbacks) => this.ingest(slot, chunk, callbacks ?? {}),
      });
    }
    for (const slot of this.inputs) await slot.plugin?.start();
  }

  private async openStore(instance: InputInstance): Promise<ChunkStore | undefined> {
    if (getString(instance.values, 'storage.type')?.toLowerCase() !== 'filesystem') return undefined;
    const path = getString(this.config.service.values, 'storage.path');
    if (path === undefined) {
      throw new Error(
        `${instance.file}:${instance.line}: ${instance.instanceName} has storage.type filesystem but [SERVICE] sets no storage.path`,
      );
    }
    const outputs = this.outputs.map((o) => o.instance.instanceName);
    const limits = this.outputs
      .map((o) => getNumber(o.instance.values, 'storage.total_limit_size'))
      .filter((n): n is number => n !== undefined);
    const sync = getString(this.config.service.values, 'storage.sync')?.toLowerCase();
    const store = await ChunkStore.open({
      dir: join(path, instance.instanceName),
      outputs,
      fsync: sync === 'full' ? 'always' : 'interval',
      maxBytes: limits.length > 0 ? Math.max(Math.min(...limits), 256 * 1024 * 1024) : undefined,
      logger: {
        warn: (message, details) =>
          this.log.warn(message, { input: instance.instanceName, ...flat(details) }),
      },
    });
    const live = new Map<number, LiveStored>();
    this.liveStored.set(store, live);
    store.startReaders(
      (output, chunk, seq) => this.deliverStored(store, output, chunk, seq),
      (output, error) => this.log.error('filesystem buffer reader', { output, error: error.message }),
    );
    return store;
  }

  // ---- data path ------------------------------------------------------------------------------

  private ingest(slot: InputSlot, chunk: Chunk, callbacks: IngestCallbacks): void {
    slot.counters.records += eventCount(chunk);
    slot.counters.bytes += chunk.bytes;
    slot.inflight += chunk.bytes;
    const delivery = new Delivery(callbacks, () => this.freed(slot, chunk.bytes));
    if (slot.inflight > slot.memLimit && !slot.pausedForMemory) {
      slot.pausedForMemory = true;
      slot.plugin?.pause();
    }
    if (slot.chain !== undefined) {
      const run = slot.chain.then(() => this.process(slot, chunk, delivery, 0));
      slot.chain = run;
      void run.then(() => {
        if (slot.chain === run) slot.chain = undefined;
      });
      return;
    }
    const maybe = this.process(slot, chunk, delivery, 0);
    if (maybe !== undefined) {
      slot.chain = maybe;
      void maybe.then(() => {
        if (slot.chain === maybe) slot.chain = undefined;
      });
    }
  }

  /** Filters then routes. Returns a promise only when a filter went async. */
  private process(
    slot: InputSlot,
    chunk: Chunk,
    delivery: Delivery,
    depth: number,
  ): Promise<void> | undefined {
    const route = this.routes.forTag(chunk.tag);
    if (route.filters.length === 0) {
      // No filter: the chunk goes on as it came (an encoded chunk stays encoded).
      this.route(slot, chunk, delivery, route.outputs);
      delivery.seal();
      return undefined;
    }
    return this.runFilters(slot, chunk, delivery, depth, route, 0, chunk.events as LogEvent[], undefined);
  }

  /** Runs route.filters[from..] and then routes; continues itself after an async filter. */
  private runFilters(
    slot: InputSlot,
    chunk: Chunk,
    delivery: Delivery,
    depth: number,
    route: Route<FilterSlot, OutputSlot>,
    from: number,
    input: LogEvent[],
    emittedSoFar: Map<string, LogEvent[]> | undefined,
  ): Promise<void> | undefined {
    let events = input;
    let emitted = emittedSoFar;
    const emit = (f: FilterSlot) => (tag: string, event: LogEvent) => {
      emitted ??= new Map();
      const list = emitted.get(tag);
      if (list === undefined) emitted.set(tag, [event]);
      else list.push(event);
      this.countEmitted(f.emitterName);
    };
    for (let i = from; i < route.filters.length && events.length > 0; i++) {
      const f = route.filters[i] as FilterSlot;
      const before = events.length;
      const out = f.plugin.filter(chunk.tag, events, f.emits ? emit(f) : noEmit);
      if (out instanceof Promise) {
        const unfiltered = events;
        return out
          .catch((error: unknown) => {
            this.log.error('filter failed; records passed on unfiltered', {
              filter: f.instance.instanceName,
              error: (error as Error).message,
            });
            return unfiltered;
          })
          .then((kept) => {
            this.countFilter(f, before, kept.length);
            return this.runFilters(slot, chunk, delivery, depth, route, i + 1, kept, emitted);
          });
      }
      this.countFilter(f, before, out.length);
      events = out;
    }
    this.route(slot, { tag: chunk.tag, events, bytes: chunk.bytes }, delivery, route.outputs);
    const pending = this.reemit(slot, chunk, delivery, depth, emitted);
    delivery.seal();
    return pending;
  }

  private reemit(
    slot: InputSlot,
    chunk: Chunk,
    delivery: Delivery,
    depth: number,
    emitted: Map<string, LogEvent[]> | undefined,
  ): Promise<void> | undefined {
    if (emitted === undefined) return undefined;
    if (depth >= MAX_REEMIT_DEPTH) {
      this.log.error('rewrite_tag re-emitted records more than 8 times in a row; dropped (a rule loop?)', {
        tag: chunk.tag,
      });
      return undefined;
    }
    let pending: Promise<void>[] | undefined;
    for (const [tag, events] of emitted) {
      const bytes = Math.round((chunk.bytes * events.length) / Math.max(1, eventCount(chunk)));
      delivery.holdStore();
      delivery.holdDelivery();
      const child = new Delivery(
        { onStored: () => delivery.releaseStore(), onDelivered: () => delivery.releaseDelivery() },
        () => {},
      );
      const maybe = this.process(slot, { tag, events, bytes }, child, depth + 1);
      if (maybe !== undefined) (pending ??= []).push(maybe);
    }
    return pending === undefined ? undefined : Promise.all(pending).then(() => undefined);
  }

  private route(slot: InputSlot, chunk: Chunk, delivery: Delivery, outputs: readonly OutputSlot[]): void {
    if (eventCount(chunk) === 0 || outputs.length === 0) return;
    const store = slot.store;
    if (store === undefined) {
      for (const output of outputs) {
        delivery.holdStore();
        delivery.holdDelivery();
        output.runner.submit(chunk, () => {
          delivery.releaseStore();
          delivery.releaseDelivery();
        });
      }
      return;
    }
    delivery.holdStore();
    for (let i = 0; i < outputs.length; i++) delivery.holdDelivery();
    void this.appendStored(slot, store, chunk, outputs, delivery);
  }

  private async appendStored(
    slot: InputSlot,
    store: ChunkStore,
    chunk: Chunk,
    outputs: readonly OutputSlot[],
    delivery: Delivery,
  ): Promise<void> {
    const names = outputs.map((o) => o.instance.instanceName);
    for (;;) {
      try {
        const seq = await store.append(chunk, names);
        this.liveStored.get(store)?.set(seq, { delivery, remaining: names.length });
        delivery.releaseStore();
        return;
      } catch (error) {
        if (this.stopping) return;
        if (error instanceof QueueFullError) {
          if (!slot.pausedForDisk) {
            slot.pausedForDisk = true;
            slot.plugin?.pause();
            this.log.warn('filesystem buffer full; input paused', { input: slot.instance.instanceName });
          }
          await once(store.queue, 'drain');
          slot.pausedForDisk = false;
          this.maybeResume(slot);
        } else {
          this.log.error('filesystem buffer write failed; retrying in 1s', {
            input: slot.instance.instanceName,
            error: (error as Error).message,
          });
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    }
  }

  private deliverStored(store: ChunkStore, output: string, chunk: Chunk, seq: number): Promise<void> {
    const slot = this.outputs.find((o) => o.instance.instanceName === output);
    if (slot === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      slot.runner.submit(chunk, () => {
        // Looked up when the output is done, not when the chunk was read: the append's continuation
        // that registers it may run after the reader saw the record.
        const live = this.liveStored.get(store);
        const entry = live?.get(seq);
        if (entry !== undefined) {
          entry.delivery.releaseDelivery();
          if (--entry.remaining === 0) live?.delete(seq);
        }
        resolve();
      });
    });
  }

  private freed(slot: InputSlot, bytes: number): void {
    slot.inflight -= bytes;
    if (slot.pausedForMemory && slot.inflight <= slot.memLimit) {
      slot.pausedForMemory = false;
      this.maybeResume(slot);
    }
  }

  private maybeResume(slot: InputSlot): void {
    if (!slot.pausedForMemory && !slot.pausedForDisk && !this.stopping) slot.plugin?.resume();
  }

  private countFilter(f: FilterSlot, before: number, after: number): void {
    if (after < before) f.counters.drop_records += before - after;
    else if (after > before) f.counters.add_records += after - before;
  }

  private countEmitted(name: string): void {
    let c = this.emitterCounters.get(name);
    if (c === undefined) {
      c = { records: 0, bytes: 0 };
      this.emitterCounters.set(name, c);
    }
    c.records++;
  }

  // ---- observability and lifecycle ----------------------------------------------------------------

  metrics(): MetricsSnapshot {
    const input: Record<string, InputCounters> = {};
    for (const s of this.inputs) input[s.instance.instanceName] = s.counters;
    for (const [name, c] of this.emitterCounters) input[name] = c;
    const filter: Record<string, FilterCounters> = {};
    for (const f of this.filters) filter[f.instance.instanceName] = f.counters;
    const output: MetricsSnapshot['output'] = Object.fromEntries(
      this.outputs.map((o) => [o.instance.instanceName, o.runner.counters]),
    );
    return { input, filter, output };
  }

  /** Bound ports of the network inputs, in config order (tests and logs, with `Port 0`). */
  inputPorts(): number[] {
    return this.inputs.flatMap((s) => {
      const port = s.plugin?.listeningPort?.();
      return port === undefined ? [] : [port];
    });
  }

  /** Extra Prometheus text from inputs that keep their own counters. */
  inputPrometheus(): string {
    return this.inputs.map((s) => s.plugin?.prometheus?.() ?? '').join('');
  }

  /** Chunks held for outputs (queued, flushing or retrying), per output. */
  backlog(): Record<string, number> {
    return Object.fromEntries(this.outputs.map((o) => [o.instance.instanceName, o.runner.backlog()]));
  }

  /**
   * Fluent Bit's shutdown: inputs stop reading, outputs get up to `graceSeconds` to deliver what
   * is buffered, then everything closes. What is not delivered by then is not committed: tail reads
   * it again, Forward senders resend it, filesystem chunks stay on disk.
   */
  async stop(graceSeconds = getNumber(this.config.service.values, 'grace') ?? 5): Promise<void> {
    for (const s of this.inputs) s.plugin?.pause();
    await Promise.all(this.inputs.map((s) => s.chain));
    await Promise.all(this.outputs.map((o) => o.runner.stop(graceSeconds * 1000)));
    this.stopping = true;
    await Promise.all(this.inputs.map((s) => s.plugin?.stop()));
    await Promise.all(this.inputs.map((s) => s.store?.close()));
    await Promise.all(this.filters.map((f) => f.plugin.stop?.()));
  }
}

function flat(
  details: Readonly<Record<string, unknown>> | undefined,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(details ?? {})) {
    out[k] = typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
  }
  return out;
}

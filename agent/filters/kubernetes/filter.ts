// The kubernetes filter. Per chunk (one tag, so one container): read pod/namespace/container from
// the tag, find the pod's metadata in the cache, and only on a miss go to the API server (or the
// kubelet, or Kube_Meta_Preload_Cache_Dir) — the one case where filter() returns a promise. Then,
// per record: K8S-Logging.Exclude, Merge_Log with the pod's parser, and the `kubernetes` map.
//
// When the API server cannot be reached, records still get what the tag gives, after at most one
// request timeout; for `retryAfterMs` nothing waits on it again, and the outage is logged once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../../common/log/logger.ts';
import type { ParserDefinition } from '../../config/types.ts';
import type { FilterPlugin, LogEvent } from '../../engine/types.ts';
import { createParser } from '../../parsers/index.ts';
import type { Parser } from '../../parsers/index.ts';
import { readAnnotations } from './annotations.ts';
import type { PodProps, StreamProps } from './annotations.ts';
import { HttpStatusError, KubeClient, isUnreachable } from './api.ts';
import { TtlCache } from './cache.ts';
import type { KubeSettings } from './config.ts';
import { enrich } from './merge-log.ts';
import { dummyMap, isPod, namespaceMap, podAnnotations, podMap, tagOnlyMap } from './metadata.ts';
import { TagReader } from './tag.ts';
import type { TagMeta } from './tag.ts';

export interface KubernetesFilterOptions {
  /** Deadline of one API request (connect to last byte). Default 5 s. */
  readonly timeoutMs?: number;
  /** How long a failed lookup is answered from the tag alone before asking again. Default 10 s. */
  readonly retryAfterMs?: number;
  /** Clock in milliseconds (tests). */
  readonly now?: () => number;
}

interface PodEntry {
  readonly kubernetes: Readonly<Record<string, unknown>>;
  readonly props: PodProps | undefined;
}

type Maybe<T> = T | Promise<T>;

// Pods and namespaces a node sees at once fit many times over.
const CACHE_SIZE = 4096;

/** A lookup skipped because the API server was unreachable moments ago (already logged). */
class StillDown extends Error {
  constructor() {
    super('Kubernetes API server unreachable; not asking again yet');
    this.name = 'StillDown';
  }
}

export class KubernetesFilter implements FilterPlugin {
  private readonly s: KubeSettings;
  private readonly logger: Logger;
  private readonly parserDefs: readonly ParserDefinition[];
  private readonly now: () => number;
  private readonly retryAfterMs: number;
  private readonly tags: TagReader;
  private readonly client: KubeClient | undefined;
  private readonly pods = new TtlCache<PodEntry>(CACHE_SIZE);
  private readonly namespaces = new TtlCache<Readonly<Record<string, unknown>>>(CACHE_SIZE);
  private readonly pendingPods = new Map<string, Promise<PodEntry>>();
  private readonly pendingNamespaces = new Map<string, Promise<Readonly<Record<string, unknown>>>>();
  private readonly parsers = new Map<string, Parser | null>();
  private readonly mergeParser: Parser | undefined;
  private readonly warned = new Set<string>();
  /** Until when the API server is treated as down (no request is made). */
  private downUntil = -Infinity;
  private down = false;

  constructor(
    settings: KubeSettings,
    parsers: readonly ParserDefinition[],
    logger: Logger,
    options: KubernetesFilterOptions,
  ) {
    this.s = settings;
    this.logger = logger;
    this.parserDefs = parsers;
    this.now = options.now ?? Date.now;
    this.retryAfterMs = options.retryAfterMs ?? 10_000;
    this.tags = new TagReader(settings.tagPrefix, settings.regexParser);
    this.mergeParser = settings.mergeParser === undefined ? undefined : this.parser(settings.mergeParser);
    const offline = settings.dummyMeta || (settings.useTagForMeta && !this.wantsNamespace());
    this.client = offline
      ? undefined
      : new KubeClient({
          caFile: settings.apiUrl.protocol === 'https:' || settings.useKubelet ? settings.caFile : undefined,
          caPath: settings.caPath,
          tokenFile: settings.tokenFile,
          tokenTtlMs: settings.tokenTtlMs,
          tlsVerify: settings.tlsVerify,
          tlsVhost: settings.tlsVhost,
          bufferSize: settings.bufferSize,
          timeoutMs: options.timeoutMs ?? 5_000,
          logger,
          now: this.now,
        });
  }

  filter(tag: string, events: LogEvent[]): LogEvent[] | Promise<LogEvent[]> {
    if (this.s.dummyMeta)
      return this.apply(events, { kubernetes: dummyMap(this.now()), props: undefined }, undefined);
    const t = this.tags.read(tag);
    if (t === undefined) {
      this.warnOnce(`tag:${tag}`, 'tag does not name a container log; records passed on unchanged', {
        tag,
        kube_tag_prefix: this.s.tagPrefix,
      });
      return events;
    }
    const pod = this.s.namespaceMetadataOnly ? undefined : this.podFor(t);
    const ns =
      this.wantsNamespace() && t.namespace !== undefined ? this.namespaceFor(t.namespace) : undefined;
    if (pod instanceof Promise || ns instanceof Promise) {
      return Promise.all([pod, ns]).then(([p, n]) => this.apply(events, p, n));
    }
    return this.apply(events, pod, ns);
  }

  stop(): void {
    this.client?.close();
    this.pods.clear();
    this.namespaces.clear();
  }

  private wantsNamespace(): boolean {
    return this.s.namespaceLabels || this.s.namespaceAnnotations;
  }

  private apply(
    events: LogEvent[],
    pod: PodEntry | undefined,
    ns: Readonly<Record<string, unknown>> | undefined,
  ): LogEvent[] {
    const props = pod?.props;
    let out: LogEvent[] | undefined;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as LogEvent;
      let parser = this.mergeParser;
      if (props !== undefined) {
        const stream = event.record.stream;
        const sp: StreamProps | undefined =
          stream === 'stdout' ? props.stdout : stream === 'stderr' ? props.stderr : undefined;
        const excluded =
          sp !== undefined
            ? sp.exclude === true
            : props.stdout.exclude === true && props.stderr.exclude === true;
        if (excluded) {
          out ??= events.slice(0, i);
          continue;
        }
        // A record without `stream` takes the pod's parser only when both streams agree on it.
        const name =
          sp !== undefined
            ? sp.parser
            : props.stdout.parser === props.stderr.parser
              ? props.stdout.parser
              : undefined;
        if (name !== undefined) parser = this.parser(name) ?? parser;
      }
      enrich(event, this.s, parser, pod?.kubernetes, ns);
      out?.push(event);
    }
    return out ?? events;
  }

  private podFor(t: TagMeta): Maybe<PodEntry> {
    if (this.s.useTagForMeta || t.podName === undefined || t.namespace === undefined) {
      return { kubernetes: tagOnlyMap(t), props: undefined };
    }
    let key = `${t.namespace}:${t.podName}`;
    if (t.containerName !== undefined) key += `:${t.containerName}`;
    if (this.s.cacheUseDockerId && t.dockerId !== undefined) key += `:${t.dockerId}`;
    const now = this.now();
    const cached = this.pods.get(key, now);
    if (cached !== undefined) return cached;
    const pending = this.pendingPods.get(key);
    if (pending !== undefined) return pending;
    if (now < this.downUntil && this.s.preloadCacheDir === undefined) {
      return { kubernetes: tagOnlyMap(t), props: undefined };
    }
    const p = this.lookupPod(t, t.namespace, t.podName, key).finally(() => this.pendingPods.delete(key));
    this.pendingPods.set(key, p);
    return p;
  }

  private async lookupPod(t: TagMeta, namespace: string, name: string, key: string): Promise<PodEntry> {
    try {
      const pod = await this.fetchPod(namespace, name);
      const entry = this.podEntry(t, pod);
      const ttl = this.s.podCacheTtlMs;
      this.pods.set(key, entry, ttl > 0 ? this.now() + ttl : Infinity);
      return entry;
    } catch (err) {
      this.failed(err, { namespace, pod: name });
      const entry: PodEntry = { kubernetes: tagOnlyMap(t), props: undefined };
      this.pods.set(key, entry, this.now() + this.retryAfterMs);
      return entry;
    }
  }

  private async fetchPod(namespace: string, name: string): Promise<unknown> {
    const preloaded = this.preloaded(`${namespace}_${name}.meta`);
    const client = this.client as KubeClient;
    let answer: unknown;
    if (preloaded !== undefined) {
      answer = preloaded;
    } else if (this.now() < this.downUntil) {
      throw new StillDown();
    } else if (this.s.useKubelet) {
      answer = await client.getJson(new URL('/pods', this.s.kubeletUrl));
    } else {
      const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`;
      answer = await client.getJson(new URL(path, this.s.apiUrl));
    }
    this.reachable();
    // The kubelet answers with every pod of the node.
    const items = (answer as { items?: unknown } | null)?.items;
    if (!Array.isArray(items)) return answer;
    const pod: unknown = items.find((item) => isPod(item, namespace, name));
    if (pod === undefined)
      throw new HttpStatusError(404, `pod ${namespace}/${name} in the kubelet's pod list`);
    return pod;
  }

  private podEntry(t: TagMeta, pod: unknown): PodEntry {
    const s = this.s;
    const kubernetes = podMap(t, pod, {
      labels: s.labels,
      annotations: s.annotations,
      ownerReferences: s.ownerReferences,
    });
    const annotations = podAnnotations(pod);
    const props =
      annotations === undefined
        ? undefined
        : readAnnotations(annotations, t.containerName, {
            allowParser: s.k8sLoggingParser,
            allowExclude: s.k8sLoggingExclude,
            parserExists: (n) => this.parser(n) !== undefined,
            warn: (message, annotation) =>
              this.logger.warn(message, { annotation, namespace: t.namespace, pod: t.podName }),
          });
    return { kubernetes, props };
  }

  private namespaceFor(name: string): Maybe<Readonly<Record<string, unknown>>> {
    const now = this.now();
    const cached = this.namespaces.get(name, now);
    if (cached !== undefined) return cached;
    const pending = this.pendingNamespaces.get(name);
    if (pending !== undefined) return pending;
    if (now < this.downUntil && this.s.preloadCacheDir === undefined) return { name };
    const p = this.lookupNamespace(name).finally(() => this.pendingNamespaces.delete(name));
    this.pendingNamespaces.set(name, p);
    return p;
  }

  private async lookupNamespace(name: string): Promise<Readonly<Record<string, unknown>>> {
    try {
      // Namespaces come from the API server even with Use_Kubelet, as in Fluent Bit.
      let ns = this.preloaded(`${name}.namespace_meta`);
      if (ns === undefined) {
        if (this.now() < this.downUntil) throw new StillDown();
        const path = `/api/v1/namespaces/${encodeURIComponent(name)}`;
        ns = await (this.client as KubeClient).getJson(new URL(path, this.s.apiUrl));
      }
      this.reachable();
      const map = namespaceMap(name, ns, {
        labels: this.s.namespaceLabels,
        annotations: this.s.namespaceAnnotations,
      });
      const ttl = this.s.namespaceCacheTtlMs;
      this.namespaces.set(name, map, ttl > 0 ? this.now() + ttl : Infinity);
      return map;
    } catch (err) {
      this.failed(err, { namespace: name });
      const map = { name };
      this.namespaces.set(name, map, this.now() + this.retryAfterMs);
      return map;
    }
  }

  /** A Kube_Meta_Preload_Cache_Dir file, parsed; `undefined` when there is none (then the API is asked). */
  private preloaded(file: string): unknown {
    const dir = this.s.preloadCacheDir;
    if (dir === undefined) return undefined;
    let text: string;
    try {
      text = readFileSync(join(dir, file), 'utf8');
    } catch {
      return undefined;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      this.warnOnce(
        `preload:${file}`,
        'Kube_Meta_Preload_Cache_Dir file is not JSON; asking the API server',
        {
          file: join(dir, file),
          error: (err as Error).message,
        },
      );
      return undefined;
    }
  }

  private failed(err: unknown, what: Readonly<Record<string, string>>): void {
    if (err instanceof StillDown) return;
    const error = (err as Error).message;
    if (isUnreachable(err)) {
      this.downUntil = this.now() + this.retryAfterMs;
      if (!this.down) {
        this.down = true;
        this.logger.warn(
          'Kubernetes API server unreachable; adding the metadata the tag gives until it answers',
          {
            ...what,
            error,
          },
        );
      } else {
        this.logger.debug('Kubernetes API server still unreachable', { ...what, error });
      }
      return;
    }
    const kind = err instanceof HttpStatusError ? `status:${err.status}` : `error:${(err as Error).name}`;
    this.warnOnce(kind, 'Kubernetes metadata lookup failed; adding the metadata the tag gives', {
      ...what,
      error,
    });
  }

  private reachable(): void {
    this.downUntil = -Infinity;
    if (this.down) {
      this.down = false;
      this.logger.info('Kubernetes API server reachable again');
    }
  }

  private parser(name: string): Parser | undefined {
    const known = this.parsers.get(name);
    if (known !== undefined) return known ?? undefined;
    const def = this.parserDefs.find((p) => p.name === name);
    let parser: Parser | null = null;
    if (def !== undefined) {
      try {
        parser = createParser(def.values);
      } catch (err) {
        this.warnOnce(`parser:${name}`, 'parser cannot be used', {
          parser: name,
          error: (err as Error).message,
        });
      }
    }
    this.parsers.set(name, parser);
    return parser ?? undefined;
  }

  private warnOnce(key: string, message: string, fields: Readonly<Record<string, string | number>>): void {
    if (this.warned.has(key)) return;
    // Bounded: a stream of distinct bad tags must not grow this without end.
    if (this.warned.size >= CACHE_SIZE) this.warned.clear();
    this.warned.add(key);
    this.logger.warn(message, fields);
  }
}

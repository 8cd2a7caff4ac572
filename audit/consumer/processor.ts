// One Kafka batch of one partition -> validated, deduplicated, hash-chained documents in
// Elasticsearch, dead letters in Kafka, alerts, digests. Resolves only when all of that is
// acknowledged, so the caller may then commit the batch's offsets. Everything it writes is a
// function of (topic, partition, offsets, event contents): reprocessing writes the same
// documents under the same ids.
import type { Client } from '@elastic/elasticsearch';
import type { KeyObject } from 'node:crypto';
import type { Logger } from '../../common/log/logger.ts';
import { alertDocument } from '../alerts/alert.ts';
import type { WebhookNotifier } from '../alerts/notifier.ts';
import { digestDocId, signDigest } from '../chain/digest.ts';
import { canonicalJson, GENESIS, linkHash, withChain } from '../chain/hash.ts';
import type { ChainFields, Json } from '../chain/hash.ts';
import type { AuditConfig } from '../config.ts';
import { validateMessage } from '../event/validate.ts';
import type { InvalidKind } from '../event/validate.ts';
import type { RuleEngine, RuleHit, RulesState } from '../rules/engine.ts';
import {
  eventsForReplay,
  firstOffsetsOf,
  lastDigestSeq,
  lastLinkBefore,
  linksFrom,
  recentAlerts,
  refresh,
} from '../store/chain-queries.ts';
import type { IndexedLink } from '../store/chain-queries.ts';
import { retrying } from '../store/backoff.ts';
import { eventDocId } from '../store/names.ts';
import type { AuditStreams } from '../store/names.ts';
import type { BulkWriter, WriteContext, WriteDoc } from '../store/writer.ts';
import type { AuditMetrics } from '../telemetry/metrics.ts';

export interface InMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export interface DeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly kind: InvalidKind;
  readonly reason: string;
}

export interface DeadLetterSink {
  send(letters: readonly DeadLetter[], ctx: WriteContext): Promise<void>;
}

interface PartitionState {
  /** Last link of the chain: seq 0 and GENESIS before the first event. */
  seq: number;
  hash: string;
  /** The offset the next batch is expected to start at; anything else means a seek or replay. */
  nextOffset: number;
  /** Links already indexed at or after the recovery offset: adopted instead of recomputed. */
  replay: Map<number, IndexedLink>;
  lastDigestSeq: number;
  lastDigestAt: number;
  /** event.id -> first offset, for the most recent ids (bounded). */
  recentIds: Map<string, number>;
  rules: RulesState;
  lastEventMs: number;
}

export interface ProcessorDeps {
  readonly config: AuditConfig;
  readonly client: Client;
  readonly writer: BulkWriter;
  readonly streams: AuditStreams;
  readonly rules: RuleEngine;
  readonly notifier: WebhookNotifier;
  readonly deadLetters: DeadLetterSink;
  readonly keys: { privateKey: KeyObject | undefined; publicKey: KeyObject | undefined };
  readonly metrics: AuditMetrics;
  readonly logger: Logger;
  readonly now?: () => number;
}

interface Prepared {
  readonly offset: number;
  readonly event: Json;
  readonly eventId: string | undefined;
  readonly docId: string;
  duplicate: boolean;
}

export class PartitionProcessor {
  readonly #deps: ProcessorDeps;
  readonly #states = new Map<string, PartitionState>();
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #dataStream: Json;
  readonly #now: () => number;

  constructor(deps: ProcessorDeps) {
    this.#deps = deps;
    this.#dataStream = { type: 'logs', dataset: 'audit', namespace: deps.config.elasticsearch.namespace };
    this.#now = deps.now ?? Date.now;
  }

  #retryOptions(ctx: WriteContext) {
    return {
      signal: ctx.signal,
      heartbeat: ctx.heartbeat,
      onError: (what: string, err: unknown, attempt: number) =>
        this.#deps.logger.warn(`${what} failed; retrying`, {
          attempt,
          error: err instanceof Error ? err.message : String(err),
        }),
    };
  }

  get #chainOn(): boolean {
    return this.#deps.config.chain.enabled;
  }

  /** Forget every partition's state: after a rebalance another instance may have moved it on. */
  reset(): void {
    this.#states.clear();
  }

  /** Serialises work on one partition (batches and the digest timer). */
  async #locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.#locks.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.#locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.#locks.get(key) === tail) this.#locks.delete(key);
    }
  }

  process(
    topic: string,
    partition: number,
    messages: readonly InMessage[],
    ctx: WriteContext,
  ): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    const key = `${topic}/${partition}`;
    return this.#locked(key, async () => {
      const end = this.#deps.metrics.batchSeconds.startTimer();
      try {
        await this.#process(key, topic, partition, messages, ctx);
      } catch (err) {
        // Whatever was half done is redone from what is indexed.
        this.#states.delete(key);
        throw err;
      } finally {
        end();
      }
    });
  }

  async #process(
    key: string,
    topic: string,
    partition: number,
    messages: readonly InMessage[],
    ctx: WriteContext,
  ): Promise<void> {
    const { config, metrics } = this.#deps;
    const first = Number((messages[0] as InMessage).offset);
    let state = this.#states.get(key);
    if (state === undefined || state.nextOffset !== first) {
      state = await retrying(
        'recover partition state',
        () => this.#recover(topic, partition, first, ctx.signal),
        {
          ...this.#retryOptions(ctx),
        },
      );
      this.#states.set(key, state);
    }

    const prepared: Prepared[] = [];
    const dead: DeadLetter[] = [];
    const limits = {
      maxEventBytes: config.validation.max_event_bytes,
      maxDepth: config.validation.max_depth,
    };
    for (const m of messages) {
      const v = validateMessage(m.value, limits);
      if (!v.ok) {
        dead.push({
          topic,
          partition,
          offset: m.offset,
          key: m.key,
          value: m.value,
          kind: v.kind,
          reason: v.reason,
        });
        continue;
      }
      const offset = Number(m.offset);
      prepared.push({
        offset,
        event: v.event,
        eventId: v.eventId,
        docId: eventDocId(topic, partition, offset),
        duplicate: false,
      });
    }
    if (config.dedupe.event_id) {
      const st = state;
      await retrying(
        'look up event ids',
        () => this.#markDuplicates(st, topic, partition, prepared, ctx.signal),
        {
          ...this.#retryOptions(ctx),
        },
      );
    }

    // Chain in offset order; links already indexed (a replay) are adopted, not recomputed.
    let seq = state.seq;
    let hash = state.hash;
    const writes: WriteDoc[] = [];
    const kept: Prepared[] = [];
    let replayed = 0;
    for (const p of prepared) {
      if (p.duplicate) continue;
      kept.push(p);
      const base: Json = { ...p.event, data_stream: this.#dataStream };
      // An empty `audit` would vanish when `audit.chain` is stripped for hashing: drop it up front.
      const audit = base['audit'];
      if (typeof audit === 'object' && audit !== null && Object.keys(audit).length === 0)
        delete base['audit'];
      let doc: Json;
      if (this.#chainOn) {
        const link = linkHash(hash, canonicalJson(base));
        const existing = state.replay.get(p.offset);
        if (existing?.seq !== undefined && existing.hash !== undefined) {
          if (existing.hash !== link || existing.seq !== seq + 1) {
            metrics.divergences.inc();
            this.#deps.logger.warn(
              'indexed chain link differs from the recomputed one; keeping the indexed one',
              {
                topic,
                partition,
                offset: p.offset,
                indexed_seq: existing.seq,
                computed_seq: seq + 1,
              },
            );
          }
          seq = existing.seq;
          hash = existing.hash;
          replayed++;
          continue;
        }
        seq += 1;
        const chain: ChainFields = { topic, partition, offset: p.offset, seq, prev: hash, hash: link };
        hash = link;
        doc = withChain(base, chain);
      } else {
        doc = withChain(base, { topic, partition, offset: p.offset });
      }
      writes.push({ id: p.docId, source: JSON.stringify(doc) });
    }

    // The digest travels in the same bulk request as the events it covers: no extra round trip.
    // Should it land before some of them (a partial failure, then a crash), the replay rewrites
    // those events identically, so the digest still holds.
    const digest = this.#dueDigest(state, topic, partition, seq, hash, false);
    const retriesBefore = this.#deps.writer.stats.retries;
    const written = await this.#deps.writer.createAll(
      this.#deps.streams.events,
      digest === undefined ? writes : [...writes, digest],
      ctx,
    );
    const outcomes = digest === undefined ? written : written.slice(0, -1);
    if (digest !== undefined) this.#digestWritten(state, seq);
    metrics.esRetries.inc(this.#deps.writer.stats.retries - retriesBefore);
    await this.#deps.deadLetters.send(dead, ctx);

    const created = outcomes.filter((o) => o === 'created').length;
    metrics.events.inc({ result: 'indexed' }, created);
    metrics.events.inc({ result: 'replayed' }, outcomes.length - created + replayed);
    metrics.events.inc({ result: 'duplicate' }, prepared.length - kept.length);
    metrics.events.inc({ result: 'invalid' }, dead.length);
    for (const d of dead) metrics.invalid.inc({ kind: d.kind });
    if (dead.length > 0)
      this.#deps.logger.warn('invalid audit events dead-lettered', {
        topic,
        partition,
        count: dead.length,
        first_offset: dead[0]?.offset,
        first_reason: dead[0]?.reason,
      });

    // Rules see every kept event, in offset order, whether it was written now or before.
    const hits: RuleHit[] = [];
    for (const p of kept) {
      hits.push(...this.#deps.rules.evaluate(state.rules, p.event, p.offset, p.docId));
      const t = Date.parse(String(p.event['@timestamp']));
      if (t > state.lastEventMs) state.lastEventMs = t;
    }
    if (hits.length > 0) await this.#raise(topic, partition, hits, ctx);
    this.#deps.rules.prune(state.rules, state.lastEventMs);

    for (const p of kept) this.#remember(state, p);
    state.seq = seq;
    state.hash = hash;
    state.nextOffset = Number((messages.at(-1) as InMessage).offset) + 1;
    for (const o of state.replay.keys()) if (o < state.nextOffset) state.replay.delete(o);
  }

  #remember(state: PartitionState, p: Prepared): void {
    const limit = this.#deps.config.dedupe.memory_entries;
    if (p.eventId === undefined || limit === 0 || state.recentIds.has(p.eventId)) return;
    state.recentIds.set(p.eventId, p.offset);
    if (state.recentIds.size > limit) {
      const oldest = state.recentIds.keys().next();
      if (oldest.done !== true) state.recentIds.delete(oldest.value);
    }
  }

  /**
   * An event is a duplicate when an earlier offset of the partition had its `event.id`: looked up
   * in this batch, in memory (not yet searchable), then in Elasticsearch.
   */
  async #markDuplicates(
    state: PartitionState,
    topic: string,
    partition: number,
    prepared: Prepared[],
    signal: AbortSignal,
  ): Promise<void> {
    const unknown: string[] = [];
    for (const p of prepared)
      if (p.eventId !== undefined && !state.recentIds.has(p.eventId)) unknown.push(p.eventId);
    const last = prepared.at(-1);
    const indexed =
      unknown.length === 0 || last === undefined
        ? new Map<string, number>()
        : await firstOffsetsOf(
            this.#deps.client,
            this.#deps.streams.events,
            topic,
            partition,
            [...new Set(unknown)],
            last.offset,
            signal,
          );
    const inBatch = new Map<string, number>();
    for (const p of prepared) {
      if (p.eventId === undefined) continue;
      const firstSeen = Math.min(
        state.recentIds.get(p.eventId) ?? Infinity,
        indexed.get(p.eventId) ?? Infinity,
        inBatch.get(p.eventId) ?? Infinity,
      );
      if (firstSeen < p.offset) p.duplicate = true;
      else inBatch.set(p.eventId, p.offset);
    }
  }

  async #raise(topic: string, partition: number, hits: readonly RuleHit[], ctx: WriteContext): Promise<void> {
    const docs = hits.map((h) => alertDocument(h, topic, partition));
    const outcomes = await this.#deps.writer.createAll(
      this.#deps.streams.alerts,
      docs.map((d) => ({ id: d.alert.id, source: JSON.stringify(d) })),
      ctx,
    );
    outcomes.forEach((o, i) => {
      const doc = docs[i];
      if (o !== 'created' || doc === undefined) return;
      this.#deps.metrics.alerts.inc({ rule: doc.rule.name });
      this.#deps.logger.warn('audit alert', { rule: doc.rule.name, key: doc.alert.key, alert: doc.alert.id });
      this.#deps.notifier.notify(doc.alert.id, doc);
    });
  }

  /** The digest due for the chain as it will be after `seq`/`hash`, if any. */
  #dueDigest(
    state: PartitionState,
    topic: string,
    partition: number,
    seq: number,
    hash: string,
    timerOnly: boolean,
  ): WriteDoc | undefined {
    const { privateKey, publicKey } = this.#deps.keys;
    if (!this.#chainOn || privateKey === undefined || publicKey === undefined) return undefined;
    if (seq <= state.lastDigestSeq) return undefined;
    const now = this.#now();
    const due =
      (!timerOnly && seq - state.lastDigestSeq >= this.#deps.config.chain.digest_every_events) ||
      now - state.lastDigestAt >= this.#deps.config.chain.digest_every;
    if (!due) return undefined;
    const from = state.lastDigestSeq + 1;
    const doc = signDigest(
      {
        topic,
        partition,
        from_seq: from,
        to_seq: seq,
        last_hash: hash,
        created: new Date(now).toISOString(),
      },
      privateKey,
      publicKey,
    );
    return {
      index: this.#deps.streams.digests,
      id: digestDocId(topic, partition, from, seq),
      source: JSON.stringify(doc),
    };
  }

  #digestWritten(state: PartitionState, seq: number): void {
    this.#deps.metrics.digests.inc();
    state.lastDigestSeq = seq;
    state.lastDigestAt = this.#now();
  }

  /** Digests for partitions that went quiet before `digest_every_events` new events. */
  async tick(signal: AbortSignal): Promise<void> {
    for (const [key, state] of [...this.#states]) {
      const [topic = '', p = '0'] = key.split('/');
      await this.#locked(key, async () => {
        if (this.#states.get(key) !== state) return;
        const digest = this.#dueDigest(state, topic, Number(p), state.seq, state.hash, true);
        if (digest === undefined) return;
        await this.#deps.writer.createAll(this.#deps.streams.digests, [digest], { signal });
        this.#digestWritten(state, state.seq);
      });
    }
  }

  /**
   * The state just before `offset`, from what is indexed: the last link below it, the links at or
   * after it (a replay), the last digest, and the rules' state from recent events and alerts.
   */
  async #recover(
    topic: string,
    partition: number,
    offset: number,
    signal: AbortSignal,
  ): Promise<PartitionState> {
    const { client, streams, rules, config } = this.#deps;
    this.#deps.metrics.recoveries.inc();
    await refresh(client, [streams.events, streams.digests, streams.alerts], signal);
    const before = await lastLinkBefore(client, streams.events, topic, partition, offset, signal);
    const state: PartitionState = {
      seq: before?.seq ?? 0,
      hash: before?.hash ?? GENESIS,
      nextOffset: offset,
      replay: new Map(),
      lastDigestSeq: 0,
      lastDigestAt: this.#now(),
      recentIds: new Map(),
      rules: rules.newState(),
      lastEventMs: before?.timestamp === undefined ? -Infinity : Date.parse(before.timestamp),
    };
    if (this.#chainOn) {
      state.replay = await linksFrom(client, streams.events, topic, partition, offset, signal);
      state.lastDigestSeq = await lastDigestSeq(client, streams.digests, topic, partition, signal);
    }
    if (rules.rules.length > 0 && before?.timestamp !== undefined) {
      for (const a of await recentAlerts(client, streams.alerts, topic, partition, offset, signal))
        rules.restoreAlert(state.rules, a.rule, a.key, a.windowEnd, a.triggerOffset);
      const since = new Date(Date.parse(before.timestamp) - rules.maxWindowMs).toISOString();
      const max = config.alerts.replay_max_events;
      for await (const e of eventsForReplay(
        client,
        streams.events,
        topic,
        partition,
        offset,
        since,
        max,
        signal,
      ))
        rules.evaluate(state.rules, e.event, e.offset, e.id);
    }
    this.#deps.logger.info('partition state recovered', {
      topic,
      partition,
      offset,
      seq: state.seq,
      replay_region: state.replay.size,
      last_digest_seq: state.lastDigestSeq,
    });
    return state;
  }
}

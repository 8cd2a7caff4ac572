// Rule evaluation, per partition, in offset order, on event time. The state is a pure function of
// the partition's events (and the alerts already raised), so it can be rebuilt after a restart
// from what is indexed, and every alert has a deterministic id: a replay never raises it twice.
import { createHash } from 'node:crypto';
import type { Json } from '../chain/hash.ts';
import * as f from '../event/fields.ts';
import type { GroupBy, RuleConfig } from './config.ts';
import { compileCondition } from './match.ts';
import type { Predicate } from './match.ts';

export interface CompiledRule {
  readonly config: RuleConfig;
  readonly matches: Predicate;
  readonly keyOf: (event: Json) => string | undefined;
  readonly threshold: number;
  readonly windowMs: number;
}

export interface RuleHit {
  readonly alertId: string;
  readonly rule: RuleConfig;
  readonly key: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly count: number;
  readonly eventIds: readonly string[];
  readonly triggerOffset: number;
  readonly trigger: Json;
}

interface KeyState {
  times: number[];
  ids: string[];
  /** An alert covers this window: nothing is counted before it ends. */
  suppressedUntil: number;
  /** Events at or before this offset were consumed by an alert. */
  lastFireOffset: number;
}

/** One partition's state of every rule. */
export type RulesState = Map<string, Map<string, KeyState>>;

const KEYS: Record<GroupBy, (e: Json) => string | undefined> = {
  actor: f.actor,
  'user.id': f.userId,
  'user.name': f.userName,
  'source.ip': f.sourceIp,
  'audit.resource.id': f.resourceId,
  'audit.resource.type': f.resourceType,
};

export function alertId(rule: string, key: string, windowStart: number): string {
  const h = createHash('sha256').update(`${rule}\n${key}\n${windowStart}`).digest('hex').slice(0, 32);
  return `${rule}-${h}`;
}

export class RuleEngine {
  readonly rules: readonly CompiledRule[];
  readonly maxWindowMs: number;
  readonly #maxKeys: number;

  constructor(rules: readonly RuleConfig[], options: { maxKeysPerRule?: number } = {}) {
    this.rules = rules.map((config) => ({
      config,
      matches: compileCondition(config.when),
      keyOf: KEYS[config.group_by],
      threshold: config.type === 'threshold' ? (config.threshold ?? 1) : 1,
      windowMs: config.window,
    }));
    this.maxWindowMs = Math.max(0, ...this.rules.map((r) => r.windowMs));
    this.#maxKeys = options.maxKeysPerRule ?? 100_000;
  }

  newState(): RulesState {
    return new Map(this.rules.map((r) => [r.config.name, new Map()]));
  }

  /** What an already indexed alert tells about the state (used when rebuilding it). */
  restoreAlert(state: RulesState, rule: string, key: string, windowEnd: number, triggerOffset: number): void {
    const keys = state.get(rule);
    if (keys === undefined) return;
    const s = this.#keyState(keys, key);
    if (triggerOffset > s.lastFireOffset) {
      s.lastFireOffset = triggerOffset;
      s.suppressedUntil = windowEnd;
      s.times = [];
      s.ids = [];
    }
  }

  #keyState(keys: Map<string, KeyState>, key: string): KeyState {
    let s = keys.get(key);
    if (s === undefined) {
      s = { times: [], ids: [], suppressedUntil: -Infinity, lastFireOffset: -1 };
      if (keys.size >= this.#maxKeys) {
        const oldest = keys.keys().next();
        if (oldest.done !== true) keys.delete(oldest.value);
      }
      keys.set(key, s);
    }
    return s;
  }

  /** Feeds one event; returns the alerts it raises (at most one per rule). */
  evaluate(state: RulesState, event: Json, offset: number, docId: string): RuleHit[] {
    if (this.rules.length === 0) return [];
    const hits: RuleHit[] = [];
    const t = f.timeMs(event);
    if (!Number.isFinite(t)) return hits;
    for (const rule of this.rules) {
      if (!rule.matches(event)) continue;
      const key = rule.keyOf(event);
      if (key === undefined) continue;
      const keys = state.get(rule.config.name);
      if (keys === undefined) continue;
      const s = this.#keyState(keys, key);
      if (offset <= s.lastFireOffset || t < s.suppressedUntil) continue;
      while (s.times.length > 0 && (s.times[0] as number) <= t - rule.windowMs) {
        s.times.shift();
        s.ids.shift();
      }
      s.times.push(t);
      s.ids.push(docId);
      if (s.times.length < rule.threshold) continue;
      const windowStart = Math.min(...s.times);
      const windowEnd = windowStart + rule.windowMs;
      hits.push({
        alertId: alertId(rule.config.name, key, windowStart),
        rule: rule.config,
        key,
        windowStart,
        windowEnd,
        count: s.times.length,
        eventIds: s.ids.slice(-100),
        triggerOffset: offset,
        trigger: event,
      });
      s.suppressedUntil = windowEnd;
      s.lastFireOffset = offset;
      s.times = [];
      s.ids = [];
    }
    return hits;
  }

  /** Forgets keys whose every counted event is older than the window (keeps memory bounded). */
  prune(state: RulesState, nowMs: number): void {
    for (const rule of this.rules) {
      const keys = state.get(rule.config.name);
      if (keys === undefined) continue;
      for (const [key, s] of keys) {
        const newest = s.times.at(-1) ?? -Infinity;
        if (newest <= nowMs - rule.windowMs && s.suppressedUntil <= nowMs) keys.delete(key);
      }
    }
  }
}

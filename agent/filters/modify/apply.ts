// Evaluates conditions and applies rules to one record, with Fluent Bit's semantics, key order
// included: Set on an existing key moves it to the end, Copy inserts right after the source, renames
// keep the position. Order-changing rules build a new object rather than `delete`, which would drop
// V8 into slow dictionary mode for every later stage.
import { setKey } from '../common/record.ts';
import { MISSING, lookup } from '../common/record-accessor.ts';
import type { Condition, Rule } from './rules.ts';

type Rec = Record<string, unknown>;

/** Fluent Bit's value regex test: strings, and booleans as `true`/`false`; nothing else matches. */
function valueMatches(v: unknown, re: RegExp): boolean {
  if (typeof v === 'string') return re.test(v);
  if (typeof v === 'boolean') return re.test(v ? 'true' : 'false');
  return false;
}

function anyKeyMatches(record: Rec, re: RegExp): boolean {
  for (const k in record) if (re.test(k)) return true;
  return false;
}

function matchingKeysHaveMatchingValues(record: Rec, keyRe: RegExp, valueRe: RegExp): boolean {
  for (const k in record) if (keyRe.test(k) && !valueMatches(record[k], valueRe)) return false;
  return true;
}

function holds(c: Condition, record: Rec): boolean {
  switch (c.kind) {
    case 'key_exists':
      return lookup(record, c.acc) !== MISSING;
    case 'key_does_not_exist':
      return lookup(record, c.acc) === MISSING;
    case 'a_key_matches':
      return anyKeyMatches(record, c.re);
    case 'no_key_matches':
      return !anyKeyMatches(record, c.re);
    case 'key_value_equals':
      return lookup(record, c.acc) === c.value;
    case 'key_value_does_not_equal': {
      const v = lookup(record, c.acc);
      return v !== MISSING && v !== c.value;
    }
    case 'key_value_matches':
      return valueMatches(lookup(record, c.acc), c.re);
    case 'key_value_does_not_match': {
      const v = lookup(record, c.acc);
      return v !== MISSING && !valueMatches(v, c.re);
    }
    case 'matching_keys_have_matching_values':
      return matchingKeysHaveMatchingValues(record, c.keyRe, c.valueRe);
    case 'matching_keys_do_not_have_matching_values':
      return !matchingKeysHaveMatchingValues(record, c.keyRe, c.valueRe);
  }
}

/** All conditions hold (none written: always). */
export function conditionsHold(conditions: readonly Condition[], record: Rec): boolean {
  for (let i = 0; i < conditions.length; i++) if (!holds(conditions[i] as Condition, record)) return false;
  return true;
}

/** A copied value must not alias the source: a later filter editing one would edit both. */
function copyOf(v: unknown): unknown {
  return v !== null && typeof v === 'object' ? structuredClone(v) : v;
}

// One loop per shape rather than a predicate callback: the hot path allocates no closures.
function withoutKey(record: Rec, key: string): Rec {
  const out: Rec = {};
  for (const k in record) if (k !== key) setKey(out, k, record[k]);
  return out;
}

function withoutPrefix(record: Rec, prefix: string): Rec {
  const out: Rec = {};
  for (const k in record) if (!k.startsWith(prefix)) setKey(out, k, record[k]);
  return out;
}

function withoutMatching(record: Rec, re: RegExp): Rec {
  const out: Rec = {};
  for (const k in record) if (!re.test(k)) setKey(out, k, record[k]);
  return out;
}

function hasPrefixedKey(record: Rec, prefix: string): boolean {
  for (const k in record) if (k.startsWith(prefix)) return true;
  return false;
}

function renamed(record: Rec, from: string, to: string, dropTarget: boolean): Rec {
  const out: Rec = {};
  for (const k in record) {
    if (k === from) setKey(out, to, record[k]);
    else if (!(dropTarget && k === to)) setKey(out, k, record[k]);
  }
  return out;
}

function copied(record: Rec, from: string, to: string): Rec {
  const out: Rec = {};
  for (const k in record) {
    if (k === to) continue;
    setKey(out, k, record[k]);
    if (k === from) setKey(out, to, copyOf(record[k]));
  }
  return out;
}

function moved(record: Rec, prefix: string, toStart: boolean): Rec {
  const out: Rec = {};
  for (const k in record) if (k.startsWith(prefix) === toStart) setKey(out, k, record[k]);
  for (const k in record) if (k.startsWith(prefix) !== toStart) setKey(out, k, record[k]);
  return out;
}

/** Applies one rule; returns the record (the same object, edited, or a new one). */
export function applyRule(rule: Rule, record: Rec): Rec {
  switch (rule.kind) {
    case 'set':
      if (Object.hasOwn(record, rule.key)) {
        const out = withoutKey(record, rule.key);
        setKey(out, rule.key, rule.value);
        return out;
      }
      setKey(record, rule.key, rule.value);
      return record;
    case 'add':
      if (!Object.hasOwn(record, rule.key)) setKey(record, rule.key, rule.value);
      return record;
    case 'remove':
      return Object.hasOwn(record, rule.key) ? withoutKey(record, rule.key) : record;
    case 'remove_wildcard':
      return hasPrefixedKey(record, rule.prefix) ? withoutPrefix(record, rule.prefix) : record;
    case 'remove_regex':
      return anyKeyMatches(record, rule.re) ? withoutMatching(record, rule.re) : record;
    case 'rename':
      if (!Object.hasOwn(record, rule.key) || Object.hasOwn(record, rule.to)) return record;
      return renamed(record, rule.key, rule.to, false);
    case 'hard_rename':
      if (!Object.hasOwn(record, rule.key) || rule.key === rule.to) return record;
      return renamed(record, rule.key, rule.to, true);
    case 'copy':
      if (!Object.hasOwn(record, rule.key) || Object.hasOwn(record, rule.to)) return record;
      return copied(record, rule.key, rule.to);
    case 'hard_copy':
      if (!Object.hasOwn(record, rule.key) || rule.key === rule.to) return record;
      return copied(record, rule.key, rule.to);
    case 'move_to_start':
    case 'move_to_end':
      return hasPrefixedKey(record, rule.prefix)
        ? moved(record, rule.prefix, rule.kind === 'move_to_start')
        : record;
  }
}

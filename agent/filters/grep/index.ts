// Fluent Bit's `grep` filter. Rules test the string at a record accessor key against a regex
// (searched anywhere; a missing or non-string value never matches):
//
// - legacy (default): rules in the order written; the first `Exclude` that matches drops the
//   record, the first `Regex` that does not match drops it, the first `Regex` that matches keeps it
//   (later rules are not looked at); a record no rule decided is kept.
// - AND / OR: all rules are of one kind; the record matches when all (AND) or any (OR) rules
//   match, and is then kept (`Regex`) or dropped (`Exclude`).
import type { FilterFactory, FilterPlugin, LogEvent } from '../../engine/types.ts';
import { lookupString } from '../common/record-accessor.ts';
import { parseGrep } from './rules.ts';
import type { GrepProgram, GrepRule } from './rules.ts';

export { parseGrep } from './rules.ts';
export type { GrepProgram, GrepRule, LogicalOp } from './rules.ts';

function matches(rule: GrepRule, record: Record<string, unknown>): boolean {
  const v = lookupString(record, rule.acc);
  return v !== undefined && rule.re.test(v);
}

function keepLegacy(rules: readonly GrepRule[], record: Record<string, unknown>): boolean {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] as GrepRule;
    const m = matches(rule, record);
    if (rule.exclude) {
      if (m) return false;
    } else {
      return m;
    }
  }
  return true;
}

function keepAndOr(program: GrepProgram, record: Record<string, unknown>): boolean {
  const rules = program.rules;
  const first = rules[0];
  if (first === undefined) return true;
  const all = program.op === 'and';
  let found = all;
  for (let i = 0; i < rules.length; i++) {
    if (matches(rules[i] as GrepRule, record) !== all) {
      found = !all;
      break;
    }
  }
  return first.exclude ? !found : found;
}

function run(program: GrepProgram, events: LogEvent[]): LogEvent[] {
  const legacy = program.op === 'legacy';
  let out: LogEvent[] | undefined;
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as LogEvent;
    const keep = legacy ? keepLegacy(program.rules, event.record) : keepAndOr(program, event.record);
    if (keep) {
      out?.push(event);
    } else if (out === undefined) {
      // Copy lazily: when every record is kept (the common case) the input array is returned as is.
      out = events.slice(0, i);
    }
  }
  return out ?? events;
}

export const createGrepFilter: FilterFactory = (instance): FilterPlugin => {
  const program = parseGrep(instance);
  return { filter: (_tag, events) => run(program, events) };
};

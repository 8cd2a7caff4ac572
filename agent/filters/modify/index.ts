// Fluent Bit's `modify` filter: conditions checked once per record, then every rule in the order
// written, each on the result of the previous. Synchronous and allocation-light: it sits on the
// hot path of every record it matches.
import type { FilterFactory, FilterPlugin, LogEvent } from '../../engine/types.ts';
import { applyRule, conditionsHold } from './apply.ts';
import { parseModify } from './rules.ts';
import type { ModifyProgram, Rule } from './rules.ts';

export { parseModify } from './rules.ts';
export type { Condition, ModifyProgram, Rule } from './rules.ts';

function run(program: ModifyProgram, events: LogEvent[]): LogEvent[] {
  const { conditions, rules } = program;
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as LogEvent;
    if (!conditionsHold(conditions, event.record)) continue;
    let record = event.record;
    for (let r = 0; r < rules.length; r++) record = applyRule(rules[r] as Rule, record);
    event.record = record;
  }
  return events;
}

export const createModifyFilter: FilterFactory = (instance): FilterPlugin => {
  const program = parseModify(instance);
  return { filter: (_tag, events) => run(program, events) };
};

// Fluent Bit's `rewrite_tag` filter: the first rule whose regex matches the string at its key
// re-emits the record under the tag the rule composes; the engine re-injects it at the start of the
// pipeline (Fluent Bit's emitter input, named by Emitter_Name). With KEEP false the original is
// dropped here. Synchronous: one regex search per rule until one matches, nothing compiled per record.
import type { FilterFactory, FilterPlugin, LogEvent } from '../../engine/types.ts';
import type { EmitFn } from '../../engine/types.ts';
import type { Logger } from '../../../common/log/logger.ts';
import { lookupString, renderTemplate } from '../common/record-accessor.ts';
import { parseRewriteRules } from './rules.ts';
import type { RewriteRule } from './rules.ts';

export { parseRewriteRules } from './rules.ts';
export type { RewriteRule } from './rules.ts';

/** Fluent Bit's default emitter name: `emitter_for_<instance>`. */
export function emitterName(instanceName: string, configured: unknown): string {
  return typeof configured === 'string' && configured !== '' ? configured : `emitter_for_${instanceName}`;
}

class RewriteTag implements FilterPlugin {
  private readonly rules: readonly RewriteRule[];
  private readonly needsTagParts: boolean;
  private readonly logger: Logger;
  private warnedEmpty = false;

  constructor(rules: readonly RewriteRule[], logger: Logger) {
    this.rules = rules;
    this.needsTagParts = rules.some((r) => r.tag.usesTagParts);
    this.logger = logger;
  }

  filter(tag: string, events: LogEvent[], emit: EmitFn): LogEvent[] {
    const tagParts = this.needsTagParts ? tag.split('.') : undefined;
    let out: LogEvent[] | undefined;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as LogEvent;
      const kept = this.process(tag, tagParts, event, emit);
      if (kept) {
        out?.push(event);
      } else if (out === undefined) {
        out = events.slice(0, i);
      }
    }
    return out ?? events;
  }

  /** Emits the record if a rule matches; whether the original stays in this pipeline. */
  private process(
    tag: string,
    tagParts: readonly string[] | undefined,
    event: LogEvent,
    emit: EmitFn,
  ): boolean {
    const rules = this.rules;
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r] as RewriteRule;
      const value = lookupString(event.record, rule.acc);
      if (value === undefined) continue;
      const m = rule.re.exec(value);
      if (m === null) continue;
      const newTag = renderTemplate(rule.tag, tag, tagParts, event.record, m);
      if (newTag === '') {
        // Nothing to route on: keep the record where it is rather than emit it tagless.
        if (!this.warnedEmpty) {
          this.warnedEmpty = true;
          this.logger.warn('rewrite_tag rule composed an empty tag; record kept under its tag', {
            rule: rule.tag.text,
            tag,
          });
        }
        return true;
      }
      // The emitted record must not share objects with one that stays here: a later filter may
      // edit the original in place.
      emit(
        newTag,
        rule.keep ? { sec: event.sec, nsec: event.nsec, record: structuredClone(event.record) } : event,
      );
      return rule.keep;
    }
    return true;
  }
}

export const createRewriteTagFilter: FilterFactory = (instance, ctx): FilterPlugin => {
  const rules = parseRewriteRules(instance);
  const logger = ctx.logger.child({
    filter: instance.instanceName,
    emitter: emitterName(instance.instanceName, instance.values.emitter_name),
  });
  return new RewriteTag(rules, logger);
};

// Parses rewrite_tag's `Rule $KEY REGEX NEW_TAG KEEP` values once. Words split on spaces, with
// `"..."`/`'...'` quoting a word that holds spaces, as Fluent Bit's four-item string list does.
import type { RoutedInstance } from '../../config/types.ts';
import { parseBool, splitQuoted } from '../../config/values.ts';
import { keyError, ruleError } from '../common/errors.ts';
import { occurrencesOf } from '../common/occurrences.ts';
import { compileTemplate, parseKeyAccessor } from '../common/record-accessor.ts';
import type { KeyAccessor, Template } from '../common/record-accessor.ts';
import { compileFilterRegex } from '../common/regex.ts';

export interface RewriteRule {
  readonly acc: KeyAccessor;
  readonly re: RegExp;
  readonly tag: Template;
  /** Keep the original record in this pipeline as well as emitting the copy. */
  readonly keep: boolean;
}

export function parseRewriteRules(instance: RoutedInstance): RewriteRule[] {
  const list = occurrencesOf(instance, 'Rule');
  if (list.length === 0) throw keyError(instance, 'Rule', 'rewrite_tag needs at least one `Rule`');
  return list.map((at) => {
    const w = splitQuoted(at.value);
    if (!w.ok) throw ruleError(instance, at, w.message);
    if (w.words.length !== 4) {
      throw ruleError(
        instance,
        at,
        `expects \`$KEY REGEX NEW_TAG KEEP\` (4 parts; quote a regex with spaces), got ${w.words.length}: \`${at.value}\``,
      );
    }
    const [key, pattern, tag, keepText] = w.words as [string, string, string, string];
    if (!key.startsWith('$')) {
      throw ruleError(instance, at, `the key must be a record accessor starting with \`$\`, got \`${key}\``);
    }
    const acc = parseKeyAccessor(key);
    if (!acc.ok) throw ruleError(instance, at, acc.message);
    const re = compileFilterRegex(pattern);
    if (!re.ok) throw ruleError(instance, at, re.message);
    const t = compileTemplate(tag);
    if (!t.ok) throw ruleError(instance, at, t.message);
    if (t.value.parts.length === 0) throw ruleError(instance, at, 'NEW_TAG is empty');
    const keep = parseBool(keepText);
    if (keep === undefined) throw ruleError(instance, at, `KEEP must be true or false, got \`${keepText}\``);
    return { acc: acc.value, re: re.re, tag: t.value, keep };
  });
}

// Parses grep's `Regex KEY REGEX` / `Exclude KEY REGEX` rules once. As in Fluent Bit the value is
// split at the first space: the key (a record accessor; `$` optional) and the rest, the regex,
// spaces included.
import type { RoutedInstance } from '../../config/types.ts';
import { keyError, ruleError } from '../common/errors.ts';
import { occurrencesInOrder } from '../common/occurrences.ts';
import { parseKeyAccessor } from '../common/record-accessor.ts';
import type { KeyAccessor } from '../common/record-accessor.ts';
import { compileFilterRegex } from '../common/regex.ts';

export interface GrepRule {
  readonly exclude: boolean;
  readonly acc: KeyAccessor;
  readonly re: RegExp;
}

export type LogicalOp = 'legacy' | 'and' | 'or';

export interface GrepProgram {
  readonly op: LogicalOp;
  /** In the order written: legacy mode's result depends on it. */
  readonly rules: readonly GrepRule[];
}

export function parseGrep(instance: RoutedInstance): GrepProgram {
  const rawOp = instance.values.logical_op;
  const op = typeof rawOp === 'string' ? rawOp.toLowerCase() : 'legacy';
  if (op !== 'legacy' && op !== 'and' && op !== 'or') {
    throw keyError(instance, 'Logical_Op', `expected AND, OR or legacy, got \`${String(rawOp)}\``);
  }
  const rules: GrepRule[] = [];
  for (const { name, at } of occurrencesInOrder(instance, ['Regex', 'Exclude'])) {
    const m = /^\s*(\S+)\s+(.*?)\s*$/s.exec(at.value);
    if (!m) throw ruleError(instance, at, `expects \`KEY REGEX\`, got \`${at.value}\``);
    const acc = parseKeyAccessor(m[1] as string);
    if (!acc.ok) throw ruleError(instance, at, acc.message);
    const re = compileFilterRegex(m[2] as string);
    if (!re.ok) throw ruleError(instance, at, re.message);
    const exclude = name === 'Exclude';
    const first = rules[0];
    if (op !== 'legacy' && first !== undefined && first.exclude !== exclude) {
      // Fluent Bit refuses the mix: with AND/OR one list is either all kept or all dropped.
      throw ruleError(
        instance,
        at,
        `\`Logical_Op ${op}\` takes either \`Regex\` or \`Exclude\` rules, not both; use \`Logical_Op legacy\` to mix them`,
      );
    }
    rules.push({ exclude, acc: acc.value, re: re.re });
  }
  return { op, rules };
}

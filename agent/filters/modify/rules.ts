// Parses the modify filter's rules and conditions once, at set-up, into plain objects the hot path
// switches over. Arity and regexes are checked here, so a bad value stops the agent at start with
// the file, line and key instead of misbehaving per record.
import { MODIFY_CONDITION_ARGS, MODIFY_RULE_ARITY } from '../../config/modify-syntax.ts';
import type { ConditionArgument } from '../../config/modify-syntax.ts';
import type { RoutedInstance } from '../../config/types.ts';
import { splitQuoted } from '../../config/values.ts';
import { ruleError } from '../common/errors.ts';
import type { Occurrence } from '../common/occurrences.ts';
import { occurrencesInOrder, occurrencesOf } from '../common/occurrences.ts';
import { parseKeyAccessor } from '../common/record-accessor.ts';
import type { KeyAccessor } from '../common/record-accessor.ts';
import { compileFilterRegex } from '../common/regex.ts';

export type Rule =
  | { readonly kind: 'set' | 'add'; readonly key: string; readonly value: string }
  | { readonly kind: 'remove'; readonly key: string }
  | { readonly kind: 'remove_wildcard' | 'move_to_start' | 'move_to_end'; readonly prefix: string }
  | { readonly kind: 'remove_regex'; readonly re: RegExp }
  | {
      readonly kind: 'rename' | 'hard_rename' | 'copy' | 'hard_copy';
      readonly key: string;
      readonly to: string;
    };

export type Condition =
  | { readonly kind: 'key_exists' | 'key_does_not_exist'; readonly acc: KeyAccessor }
  | { readonly kind: 'a_key_matches' | 'no_key_matches'; readonly re: RegExp }
  | {
      readonly kind: 'key_value_equals' | 'key_value_does_not_equal';
      readonly acc: KeyAccessor;
      readonly value: string;
    }
  | {
      readonly kind: 'key_value_matches' | 'key_value_does_not_match';
      readonly acc: KeyAccessor;
      readonly re: RegExp;
    }
  | {
      readonly kind: 'matching_keys_have_matching_values' | 'matching_keys_do_not_have_matching_values';
      readonly keyRe: RegExp;
      readonly valueRe: RegExp;
    };

const RULE_ARITY: Readonly<Record<Rule['kind'], 1 | 2>> = MODIFY_RULE_ARITY;
const CONDITIONS: Readonly<Record<Condition['kind'], readonly ConditionArgument[]>> = MODIFY_CONDITION_ARGS;

function isRuleKind(k: string): k is Rule['kind'] {
  return Object.hasOwn(RULE_ARITY, k);
}

function isConditionKind(k: string): k is Condition['kind'] {
  return Object.hasOwn(CONDITIONS, k);
}

function words(instance: RoutedInstance, at: Occurrence): string[] {
  const w = splitQuoted(at.value);
  if (!w.ok) throw ruleError(instance, at, w.message);
  return w.words;
}

function regexAt(instance: RoutedInstance, at: Occurrence, pattern: string): RegExp {
  const r = compileFilterRegex(pattern);
  if (!r.ok) throw ruleError(instance, at, r.message);
  return r.re;
}

/**
 * Fluent Bit matches `Remove_wildcard` and `Move_to_*` keys by prefix, comparing the written text
 * literally; a trailing `*` is read as the wildcard it looks like (`Mem*` = `Mem`).
 */
function prefixOf(word: string): string {
  return word.endsWith('*') ? word.slice(0, -1) : word;
}

function parseRule(instance: RoutedInstance, kind: Rule['kind'], at: Occurrence): Rule {
  const w = words(instance, at);
  const n = RULE_ARITY[kind];
  if (w.length !== n) {
    const shape = n === 1 ? 'KEY' : kind === 'set' || kind === 'add' ? 'KEY VALUE' : 'KEY NEW_KEY';
    throw ruleError(
      instance,
      at,
      `expects \`${shape}\` (${n} word${n === 1 ? '' : 's'}; quote a value with spaces), got ${w.length}: \`${at.value}\``,
    );
  }
  const a = w[0] as string;
  const b = w[1] ?? '';
  if (a === '') throw ruleError(instance, at, 'the key is empty');
  switch (kind) {
    case 'set':
    case 'add':
      return { kind, key: a, value: b };
    case 'remove':
      return { kind, key: a };
    case 'remove_wildcard':
    case 'move_to_start':
    case 'move_to_end':
      return { kind, prefix: prefixOf(a) };
    case 'remove_regex':
      return { kind, re: regexAt(instance, at, a) };
    case 'rename':
    case 'hard_rename':
    case 'copy':
    case 'hard_copy':
      if (b === '') throw ruleError(instance, at, 'the new key is empty');
      return { kind, key: a, to: b };
  }
}

function parseCondition(instance: RoutedInstance, at: Occurrence): Condition {
  const [name = '', ...args] = words(instance, at);
  const kind = name.toLowerCase();
  if (!isConditionKind(kind)) {
    throw ruleError(
      instance,
      at,
      `unknown condition \`${name}\` (conditions: ${Object.keys(CONDITIONS).join(', ')})`,
    );
  }
  const want = CONDITIONS[kind];
  if (args.length !== want.length) {
    const shape = want.map((x) => (x === 'key' ? 'KEY' : x === 'value' ? 'VALUE' : 'REGEX')).join(' ');
    throw ruleError(instance, at, `\`${name}\` expects \`${shape}\`, got \`${args.join(' ')}\``);
  }
  const arg0 = args[0] as string;
  const arg1 = args[1] ?? '';
  const key = (): KeyAccessor => {
    const acc = parseKeyAccessor(arg0);
    if (!acc.ok) throw ruleError(instance, at, acc.message);
    return acc.value;
  };
  switch (kind) {
    case 'key_exists':
    case 'key_does_not_exist':
      return { kind, acc: key() };
    case 'a_key_matches':
    case 'no_key_matches':
      return { kind, re: regexAt(instance, at, arg0) };
    case 'key_value_equals':
    case 'key_value_does_not_equal':
      return { kind, acc: key(), value: arg1 };
    case 'key_value_matches':
    case 'key_value_does_not_match':
      return { kind, acc: key(), re: regexAt(instance, at, arg1) };
    case 'matching_keys_have_matching_values':
    case 'matching_keys_do_not_have_matching_values':
      return { kind, keyRe: regexAt(instance, at, arg0), valueRe: regexAt(instance, at, arg1) };
  }
}

export interface ModifyProgram {
  readonly conditions: readonly Condition[];
  /** In the order written, across keys: Fluent Bit applies each rule to the result of the previous. */
  readonly rules: readonly Rule[];
}

/** Reads every `Condition` and rule key of a modify instance; throws on the first bad value. */
export function parseModify(instance: RoutedInstance): ModifyProgram {
  const conditions = occurrencesOf(instance, 'Condition').map((at) => parseCondition(instance, at));
  const rules: Rule[] = [];
  for (const { name, at } of occurrencesInOrder(instance, Object.keys(RULE_ARITY))) {
    if (isRuleKind(name)) rules.push(parseRule(instance, name, at));
  }
  return { conditions, rules };
}

// The modify filter's rule keys and condition words, with what each takes: one table for the
// config check (validate.ts, which reports every problem with a hint) and the filter's own parser
// (filters/modify/rules.ts), so that the two never disagree on what a rule is.

/** Rule keys and how many words each takes (`Set KEY VALUE`, `Remove KEY`). */
export const MODIFY_RULE_ARITY = {
  set: 2,
  add: 2,
  remove: 1,
  remove_wildcard: 1,
  remove_regex: 1,
  rename: 2,
  hard_rename: 2,
  copy: 2,
  hard_copy: 2,
  move_to_start: 1,
  move_to_end: 1,
} as const satisfies Readonly<Record<string, 1 | 2>>;

export type ConditionArgument = 'key' | 'keyRegex' | 'value' | 'valueRegex';

/** Conditions, what their arguments are: a key (record accessor), a key regex, a value, a value regex. */
export const MODIFY_CONDITION_ARGS = {
  key_exists: ['key'],
  key_does_not_exist: ['key'],
  a_key_matches: ['keyRegex'],
  no_key_matches: ['keyRegex'],
  key_value_equals: ['key', 'value'],
  key_value_does_not_equal: ['key', 'value'],
  key_value_matches: ['key', 'valueRegex'],
  key_value_does_not_match: ['key', 'valueRegex'],
  matching_keys_have_matching_values: ['keyRegex', 'valueRegex'],
  matching_keys_do_not_have_matching_values: ['keyRegex', 'valueRegex'],
} as const satisfies Readonly<Record<string, readonly ConditionArgument[]>>;

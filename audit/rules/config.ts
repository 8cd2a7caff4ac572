import { z } from 'zod';
import { duration } from '../../common/config/index.ts';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof DAYS)[number];

const hhmm = z
  .string()
  .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'expected a time of day as HH:MM (00:00–23:59)');

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'unknown IANA time zone');

const nonEmptyList = (what: string) => z.array(z.string().min(1).max(1024)).min(1).describe(what);

/** What an event must look like for a rule to count it; every given condition must hold. */
export const ruleConditionSchema = z.strictObject({
  action: nonEmptyList(
    '`event.action` is one of these; `*` matches any characters (`user.*`, `*.delete`).',
  ).optional(),
  outcome: z
    .array(z.enum(['success', 'failure', 'unknown']))
    .min(1)
    .optional()
    .describe('`event.outcome` is one of these.'),
  resource_type: nonEmptyList('`audit.resource.type` is one of these.').optional(),
  actor_lacks_role: nonEmptyList(
    'The actor has none of these roles in `user.roles` (a privileged action by someone without the role).',
  ).optional(),
  outside_hours: z
    .strictObject({
      start: hhmm.describe('Start of working hours, HH:MM, inclusive.'),
      end: hhmm.describe('End of working hours, HH:MM, exclusive.'),
      days: z
        .array(z.enum(DAYS))
        .min(1)
        .default(['mon', 'tue', 'wed', 'thu', 'fri'])
        .describe('Working days; every hour of any other day is outside.'),
      time_zone: timeZone.default('UTC').describe('IANA time zone the hours are in.'),
    })
    .refine((h) => h.start !== h.end, 'start and end must differ')
    .optional()
    .describe("`@timestamp` falls outside these working hours (in the rule's time zone)."),
});

export type RuleCondition = z.output<typeof ruleConditionSchema>;

const GROUP_BY = [
  'actor',
  'user.id',
  'user.name',
  'source.ip',
  'audit.resource.id',
  'audit.resource.type',
] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export const ruleSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/, 'a rule name is 1–100 characters of [a-z0-9_.-]')
      .describe('Unique rule name; part of each alert id.'),
    type: z
      .enum(['threshold', 'match'])
      .describe(
        '`threshold`: `threshold` matching events per key within `window`; `match`: every matching event.',
      ),
    description: z.string().max(1024).optional().describe('Shown in alerts.'),
    severity: z.enum(['low', 'medium', 'high', 'critical']).default('medium').describe('Copied into alerts.'),
    when: ruleConditionSchema.describe('Conditions an event must meet to count.'),
    group_by: z
      .enum(GROUP_BY)
      .default('actor')
      .describe(
        'Key that events are counted and alerts deduplicated by; `actor` is `user.id`, else `user.name`. Events without the key are not counted.',
      ),
    threshold: z
      .int()
      .min(2)
      .max(1_000_000)
      .optional()
      .describe('`threshold` rules: matching events of one key within `window` that raise an alert.'),
    window: duration()
      .prefault('5m')
      .refine((ms) => ms >= 1000 && ms <= 7 * 24 * 3600 * 1000, 'window must be between 1s and 7d')
      .describe(
        'Threshold rules count within this window; for both kinds at most one alert per rule, key and window.',
      ),
  })
  .superRefine((rule, ctx) => {
    if (rule.type === 'threshold' && rule.threshold === undefined)
      ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'a threshold rule needs `threshold`' });
    if (rule.type === 'match' && rule.threshold !== undefined)
      ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'a match rule has no `threshold`' });
    if (Object.values(rule.when).every((v) => v === undefined))
      ctx.addIssue({ code: 'custom', path: ['when'], message: 'give at least one condition' });
  });

export type RuleConfig = z.output<typeof ruleSchema>;

export const rulesSchema = z
  .array(ruleSchema)
  .default([])
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((r, i) => {
      if (seen.has(r.name))
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate rule name \`${r.name}\`` });
      seen.add(r.name);
    });
  })
  .describe('Alert rules, evaluated on every indexed event in partition order.');

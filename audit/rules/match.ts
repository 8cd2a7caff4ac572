// Compiles a rule's `when` into one predicate over an event.
import type { Json } from '../chain/hash.ts';
import * as f from '../event/fields.ts';
import type { RuleCondition, Weekday } from './config.ts';

export type Predicate = (event: Json) => boolean;

function globSet(patterns: readonly string[]): (value: string | undefined) => boolean {
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns
    .filter((p) => p.includes('*'))
    .map(
      (p) =>
        new RegExp(
          '^' +
            p
              .split('*')
              .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
              .join('.*') +
            '$',
        ),
    );
  return (v) => v !== undefined && (exact.has(v) || globs.some((g) => g.test(v)));
}

const WEEKDAYS: Record<string, Weekday> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `ms` is outside the working hours (a window that wraps midnight is allowed). */
export function outsideHours(
  ms: number,
  hours: { start: string; end: string; days: readonly Weekday[]; time_zone: string },
  format = new Intl.DateTimeFormat('en-US', {
    timeZone: hours.time_zone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }),
): boolean {
  if (!Number.isFinite(ms)) return false;
  const parts = Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, p.value]));
  const day = WEEKDAYS[parts['weekday'] ?? ''];
  const now = Number(parts['hour']) * 60 + Number(parts['minute']);
  if (day === undefined || !hours.days.includes(day)) return true;
  const start = minutes(hours.start);
  const end = minutes(hours.end);
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  return !inside;
}

export function compileCondition(when: RuleCondition): Predicate {
  const checks: Predicate[] = [];
  if (when.action !== undefined) {
    const m = globSet(when.action);
    checks.push((e) => m(f.action(e)));
  }
  if (when.outcome !== undefined) {
    const set = new Set<string>(when.outcome);
    checks.push((e) => set.has(f.outcome(e) ?? ''));
  }
  if (when.resource_type !== undefined) {
    const m = globSet(when.resource_type);
    checks.push((e) => m(f.resourceType(e)));
  }
  if (when.actor_lacks_role !== undefined) {
    const needed = when.actor_lacks_role;
    checks.push((e) => {
      const have = f.roles(e);
      return !needed.some((r) => have.includes(r));
    });
  }
  if (when.outside_hours !== undefined) {
    const hours = when.outside_hours;
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: hours.time_zone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    checks.push((e) => outsideHours(f.timeMs(e), hours, format));
  }
  return (e) => checks.every((c) => c(e));
}

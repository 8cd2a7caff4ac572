// Query parameters of the API, validated strictly: an unknown, repeated or malformed parameter is a
// 400 with the reason, never silently ignored (an auditor must not get an unfiltered answer to a
// filter they misspelt).
import { z } from 'zod';

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;
const time = z
  .string()
  .refine(
    (s) => ISO.test(s) && Number.isFinite(Date.parse(s)),
    'expected an ISO-8601 date or date-time with a zone',
  );
const term = z.string().min(1).max(1024);
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.int().min(min).max(max));

const cursor = z.string().transform((s, ctx) => {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length > 0 &&
      v.length <= 4 &&
      v.every((x) => typeof x === 'string' || typeof x === 'number')
    )
      return v as (string | number)[];
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'not a cursor this API returned in `next`' });
  return z.NEVER;
});

export const encodeCursor = (sort: readonly unknown[]): string =>
  Buffer.from(JSON.stringify(sort)).toString('base64url');

export function eventSearchSchema(maxSize: number) {
  return z.strictObject({
    actor: term.optional(),
    action: term.optional(),
    outcome: z.enum(['success', 'failure', 'unknown']).optional(),
    resource: term.optional(),
    resource_type: term.optional(),
    partition: int(0, 100_000).optional(),
    from: time.optional(),
    to: time.optional(),
    q: z.string().min(1).max(1024).optional(),
    size: int(1, maxSize).optional(),
    search_after: cursor.optional(),
  });
}

export function alertSearchSchema(maxSize: number) {
  return z.strictObject({
    rule: term.optional(),
    key: term.optional(),
    actor: term.optional(),
    severity: z.enum(['low', 'medium', 'high', 'critical']).optional(),
    from: time.optional(),
    to: time.optional(),
    size: int(1, maxSize).optional(),
    search_after: cursor.optional(),
  });
}

const bound = z
  .string()
  .refine(
    (s) => /^[1-9][0-9]{0,15}$/.test(s) || (ISO.test(s) && Number.isFinite(Date.parse(s))),
    'expected a seq (>= 1) or an ISO-8601 time',
  )
  .transform((s) => (/^[0-9]+$/.test(s) ? Number(s) : new Date(Date.parse(s)).toISOString()));

export const verifySchema = z.strictObject({
  partition: int(0, 100_000).optional(),
  from: bound.optional(),
  to: bound.optional(),
});

/** Koa's query object, refusing repeated parameters; `problem` is the 400 reason. */
export function parseQuery<S extends z.ZodType>(
  schema: S,
  query: Record<string, string | string[] | undefined>,
): { ok: true; value: z.output<S> } | { ok: false; problem: string } {
  for (const [k, v] of Object.entries(query))
    if (Array.isArray(v)) return { ok: false, problem: `parameter \`${k}\` given more than once` };
  const r = schema.safeParse(query);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  if (issue?.code === 'unrecognized_keys')
    return { ok: false, problem: `unknown parameter \`${issue.keys.join('`, `')}\`` };
  return { ok: false, problem: `${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'invalid'}` };
}

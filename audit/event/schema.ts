// What an audit event must be before it enters the chain. The fields checked are exactly those the
// audit index maps (so Elasticsearch can never refuse a validated event for its mapping, which
// would leave a hole in the chain) plus the required who/what/when/outcome.
import { z } from 'zod';

/** Elasticsearch's `date_nanos` holds 1970-01-01 to 2262-04-11. */
const MIN_MS = 0;
const MAX_MS = Date.UTC(2262, 3, 11);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

const timestamp = z
  .string({ error: 'expected an ISO-8601 date-time string' })
  .max(64)
  .refine((s) => {
    if (!ISO.test(s)) return false;
    const ms = Date.parse(s);
    return Number.isFinite(ms) && ms >= MIN_MS && ms < MAX_MS;
  }, 'expected an ISO-8601 date-time with a zone, between 1970 and 2262');

/** Anything Elasticsearch indexes into a `keyword` field without complaint. */
const keywordValue = z.union([z.string().max(8192), z.number(), z.boolean()]);
const keyword = z.union([keywordValue, z.array(keywordValue).max(1000)]).optional();
const text = z
  .string()
  .max(1024 * 1024)
  .optional();
const name = z.string().min(1).max(1024);
const obj = <T extends z.core.$ZodLooseShape>(shape: T) => z.looseObject(shape);

export const auditEventSchema = z.looseObject({
  '@timestamp': timestamp,
  message: text,
  event: obj({
    action: name,
    outcome: z.enum(['success', 'failure', 'unknown']),
    id: z.string().min(1).max(512).optional(),
    category: keyword,
    kind: keyword,
    dataset: keyword,
    module: keyword,
  }),
  user: obj({
    id: name.optional(),
    name: name.optional(),
    roles: z.union([name, z.array(name).max(1000)]).optional(),
  }).refine((u) => u.id !== undefined || u.name !== undefined, {
    message: 'an actor is required: `user.id` or `user.name`',
  }),
  source: obj({
    ip: z.union([z.ipv4(), z.ipv6()]).optional(),
    port: z.int().min(0).max(65535).optional(),
  }).optional(),
  user_agent: obj({ original: keyword }).optional(),
  audit: obj({
    resource: obj({ type: keyword, id: keyword, name: keyword }).optional(),
    reason: text,
    chain: z.never({ error: '`audit.chain` is set by the audit service, not by producers' }).optional(),
  }).optional(),
  service: obj({ name: keyword }).optional(),
  trace: obj({ id: keyword }).optional(),
  span: obj({ id: keyword }).optional(),
  host: obj({ name: keyword }).optional(),
  kubernetes: obj({ namespace: keyword }).optional(),
  data_stream: obj({ type: keyword, dataset: keyword, namespace: keyword }).optional(),
});

/** Roots of the mapped fields: a dotted key under one of these would shadow the nested value. */
export const MAPPED_ROOTS = new Set([
  '@timestamp',
  'message',
  'event',
  'user',
  'source',
  'user_agent',
  'audit',
  'service',
  'trace',
  'span',
  'host',
  'kubernetes',
  'data_stream',
]);

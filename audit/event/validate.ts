// Kafka message -> audit event, or the reason it is not one. Never throws: whatever arrives, the
// partition keeps flowing and the bad message goes to the dead-letter topic with this reason.
import { auditEventSchema, MAPPED_ROOTS } from './schema.ts';
import type { Json } from '../chain/hash.ts';

export type InvalidKind = 'oversized' | 'malformed' | 'invalid';

export type Validation =
  | { readonly ok: true; readonly event: Json; readonly eventId: string | undefined }
  | { readonly ok: false; readonly kind: InvalidKind; readonly reason: string };

export interface ValidationLimits {
  readonly maxEventBytes: number;
  readonly maxDepth: number;
}

/** Why the value cannot be hashed canonically or indexed: too deep, or a lone surrogate. */
function structureProblem(root: unknown, maxDepth: number): string | undefined {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v === 'string') {
      if (!v.isWellFormed()) return 'string with a lone UTF-16 surrogate (no canonical JSON form)';
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth > maxDepth) return `nested deeper than ${maxDepth} levels`;
    if (Array.isArray(v)) {
      for (const x of v) stack.push([x, depth + 1]);
    } else {
      for (const [k, x] of Object.entries(v)) {
        if (!k.isWellFormed()) return 'key with a lone UTF-16 surrogate (no canonical JSON form)';
        stack.push([x, depth + 1]);
      }
    }
  }
  return undefined;
}

function dottedMappedKey(event: Json): string | undefined {
  for (const k of Object.keys(event)) {
    const dot = k.indexOf('.');
    if (dot > 0 && MAPPED_ROOTS.has(k.slice(0, dot))) return k;
  }
  return undefined;
}

export function validateMessage(value: Buffer | null, limits: ValidationLimits): Validation {
  if (value === null || value.length === 0) return { ok: false, kind: 'malformed', reason: 'empty message' };
  if (value.length > limits.maxEventBytes)
    return {
      ok: false,
      kind: 'oversized',
      reason: `event of ${value.length} bytes exceeds max_event_bytes ${limits.maxEventBytes}`,
    };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (err) {
    return { ok: false, kind: 'malformed', reason: `not JSON: ${(err as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { ok: false, kind: 'malformed', reason: 'not a JSON object' };
  const event = parsed as Json;
  const structure = structureProblem(event, limits.maxDepth);
  if (structure !== undefined) return { ok: false, kind: 'invalid', reason: structure };
  const dotted = dottedMappedKey(event);
  if (dotted !== undefined)
    return {
      ok: false,
      kind: 'invalid',
      reason: `dotted key \`${dotted}\`: write it nested, as the collector does`,
    };
  const result = auditEventSchema.safeParse(event);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue === undefined || issue.path.length === 0 ? '(event)' : issue.path.join('.');
    const missing = issue?.code === 'invalid_type' && issue.message.includes('undefined');
    return {
      ok: false,
      kind: 'invalid',
      reason: `${path}: ${missing ? 'required field is missing' : (issue?.message ?? 'invalid')}`,
    };
  }
  const ev = event['event'] as Json;
  const id = ev['id'];
  return { ok: true, event, eventId: typeof id === 'string' ? id : undefined };
}

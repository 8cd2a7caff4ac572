// audit(): an operation log event flagged `audit: true`, carrying DESIGN.md's audit fields and the
// active trace, which the collector routes to Kafka for the audit service. An invalid call is a
// bug in the calling service: in development it throws at the call site; in production the event
// is logged as an error and counted instead, so an audit bug never takes a request down.
import type { SpanContext } from '@opentelemetry/api';
import type { Environment } from '../config.ts';
import type { RecordEmitter } from '../logging/emitter.ts';
import { writeLog, type LogFields } from '../logging/logger.ts';
import type { LogRecord } from '../logging/sink.ts';

export type AuditOutcome = 'success' | 'failure' | 'unknown';

export interface AuditActor {
  /** Who did it; also the Kafka key, so one actor's events stay in order. */
  id: string | number;
  name?: string;
  roles?: readonly string[];
  /** Client address (`source.ip`). */
  ip?: string;
  /** `user_agent.original`. */
  userAgent?: string;
}

export interface AuditResource {
  type: string;
  id?: string | number;
  name?: string;
}

export interface AuditEvent {
  /** What was done, e.g. `order.delete`. */
  action: string;
  /** Default `unknown`. */
  outcome?: AuditOutcome;
  actor: AuditActor;
  resource?: AuditResource;
  /** Why: the justification given, or why it was refused. */
  reason?: string;
  /** ECS `event.category`, e.g. `iam`, `database`. */
  category?: string | readonly string[];
  /** Defaults to `<action> <outcome>`. */
  message?: string;
  /** More fields, recorded as they are (the DESIGN.md fields win over them). */
  fields?: LogFields;
}

export class AuditValidationError extends TypeError {
  override readonly name = 'AuditValidationError';
}

const OUTCOMES: readonly string[] = ['success', 'failure', 'unknown'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmpty(v: unknown): boolean {
  return (typeof v === 'string' && v.trim() !== '') || (typeof v === 'number' && Number.isFinite(v));
}

function optionalString(v: unknown): boolean {
  return v === undefined || typeof v === 'string';
}

/** The first thing wrong with an audit() argument, or undefined when it is valid. */
export function auditProblem(event: unknown): string | undefined {
  if (!isObject(event)) return 'expects an event object: audit({ action, outcome, actor, resource, reason })';
  if (typeof event['action'] !== 'string' || event['action'].trim() === '')
    return `'action' is required: a non-empty string naming the operation, e.g. "order.delete"`;
  const actor = event['actor'];
  if (!isObject(actor))
    return `'actor' is required for "${event['action']}": { id, name?, roles? } of whoever performed it`;
  if (!nonEmpty(actor['id'])) return `'actor.id' is required for "${event['action']}": a non-empty string`;
  if (!optionalString(actor['name'])) return `'actor.name' must be a string`;
  const roles = actor['roles'];
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === 'string')))
    return `'actor.roles' must be an array of strings`;
  if (!optionalString(actor['ip'])) return `'actor.ip' must be a string`;
  if (!optionalString(actor['userAgent'])) return `'actor.userAgent' must be a string`;
  const outcome = event['outcome'];
  if (outcome !== undefined && !OUTCOMES.includes(outcome as string))
    return `'outcome' must be "success", "failure" or "unknown", got ${JSON.stringify(outcome)}`;
  const resource = event['resource'];
  if (resource !== undefined) {
    if (!isObject(resource) || typeof resource['type'] !== 'string' || resource['type'] === '')
      return `'resource.type' is required when 'resource' is given, e.g. { type: "order", id: "42" }`;
    if (resource['id'] !== undefined && !nonEmpty(resource['id'])) return `'resource.id' must be a string`;
    if (!optionalString(resource['name'])) return `'resource.name' must be a string`;
  }
  if (!optionalString(event['reason'])) return `'reason' must be a string`;
  if (!optionalString(event['message'])) return `'message' must be a string`;
  const category = event['category'];
  if (
    category !== undefined &&
    typeof category !== 'string' &&
    !(Array.isArray(category) && category.every((c) => typeof c === 'string'))
  )
    return `'category' must be a string or an array of strings`;
  if (event['fields'] !== undefined && !isObject(event['fields'])) return `'fields' must be an object`;
  return undefined;
}

/** The record for a valid event, with DESIGN.md's ECS field names as dotted keys. */
export function auditRecord(event: AuditEvent): LogRecord {
  const outcome = event.outcome ?? 'unknown';
  const record: LogRecord = {
    message: event.message ?? `${event.action} ${outcome}`,
    'log.level': outcome === 'failure' ? 'warn' : 'info',
  };
  if (event.fields !== undefined) Object.assign(record, event.fields);
  record['message'] = event.message ?? `${event.action} ${outcome}`;
  record['log.level'] = outcome === 'failure' ? 'warn' : 'info';
  record['audit'] = true;
  record['event.action'] = event.action;
  record['event.outcome'] = outcome;
  if (event.category !== undefined)
    record['event.category'] = typeof event.category === 'string' ? [event.category] : [...event.category];
  const actor = event.actor;
  record['user.id'] = String(actor.id);
  if (actor.name !== undefined) record['user.name'] = actor.name;
  if (actor.roles !== undefined) record['user.roles'] = [...actor.roles];
  if (actor.ip !== undefined) record['source.ip'] = actor.ip;
  if (actor.userAgent !== undefined) record['user_agent.original'] = actor.userAgent;
  const resource = event.resource;
  if (resource !== undefined) {
    record['audit.resource.type'] = resource.type;
    if (resource.id !== undefined) record['audit.resource.id'] = String(resource.id);
    if (resource.name !== undefined) record['audit.resource.name'] = resource.name;
  }
  if (event.reason !== undefined) record['audit.reason'] = event.reason;
  return record;
}

export interface AuditStats {
  emitted: number;
  /** Invalid calls logged instead of emitted (production), or made by the koa middleware. */
  rejected: number;
}

export class Auditor {
  readonly #emitter: () => RecordEmitter;
  readonly #environment: Environment;
  readonly #stats: AuditStats = { emitted: 0, rejected: 0 };

  constructor(emitter: () => RecordEmitter, environment: Environment) {
    this.#emitter = emitter;
    this.#environment = environment;
  }

  get stats(): Readonly<AuditStats> {
    return this.#stats;
  }

  /** The public audit(): throws AuditValidationError in development, logs and counts in production. */
  audit(event: AuditEvent): void {
    this.record(event, undefined, this.#environment === 'development');
  }

  /** `throwOnInvalid: false` for callers with no caller to throw to (the koa middleware, after the response). */
  record(event: AuditEvent, span: SpanContext | undefined, throwOnInvalid: boolean): void {
    const problem = auditProblem(event);
    if (problem !== undefined) {
      if (throwOnInvalid) throw new AuditValidationError(`audit(): ${problem}`);
      this.#stats.rejected++;
      const action = (event as { action?: unknown } | null)?.action;
      writeLog(
        this.#emitter(),
        'error',
        `audit event rejected: ${problem}`,
        {
          'error.type': 'AuditValidationError',
          'error.message': problem,
          ...(typeof action === 'string' ? { 'event.action': action } : {}),
        },
        undefined,
        span,
      );
      return;
    }
    try {
      this.#emitter().emit('audit', auditRecord(event), span);
      this.#stats.emitted++;
    } catch {
      this.#stats.rejected++;
    }
  }
}

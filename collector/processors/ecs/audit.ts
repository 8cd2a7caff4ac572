import type { EcsDocument } from './types.ts';
import { getOwn, isObj, str } from './util.ts';
import type { Obj } from './util.ts';

function objAt(o: Obj | undefined, key: string): Obj | undefined {
  if (o === undefined) return undefined;
  const v = getOwn(o, key);
  return isObj(v) ? v : undefined;
}

function field(o: Obj | undefined, key: string): unknown {
  return o === undefined ? undefined : getOwn(o, key);
}

function firstStr(max: number, ...vs: unknown[]): string | undefined {
  for (const v of vs) {
    const s = str(v, max);
    if (s !== undefined) return s;
  }
  return undefined;
}

function firstList(...vs: unknown[]): string[] | undefined {
  for (const v of vs) {
    if (typeof v === 'string' && v !== '') return [v];
    if (Array.isArray(v)) {
      const out = v.filter((x): x is string => typeof x === 'string' && x !== '' && x.length <= 1024);
      if (out.length > 0) return out;
    }
  }
  return undefined;
}

const SUCCESS = new Set([
  'success',
  'succeeded',
  'successful',
  'ok',
  'allow',
  'allowed',
  'granted',
  'pass',
  'passed',
]);
const FAILURE = new Set([
  'failure',
  'failed',
  'fail',
  'error',
  'denied',
  'deny',
  'forbidden',
  'rejected',
  'unauthorized',
]);

/** ECS `event.outcome` is one of success, failure, unknown. */
export function normaliseOutcome(v: unknown): 'success' | 'failure' | 'unknown' {
  if (v === true) return 'success';
  if (v === false) return 'failure';
  if (typeof v === 'string' && v.length <= 32) {
    const s = v.toLowerCase();
    if (SUCCESS.has(s)) return 'success';
    if (FAILURE.has(s)) return 'failure';
  }
  return 'unknown';
}

/** Dotted record keys the audit mapping consumes; removed from the document so no field appears twice. */
const CONSUMED_DOTTED = [
  'event.action',
  'event.outcome',
  'event.category',
  'user.id',
  'user.name',
  'user.roles',
  'source.ip',
  'user_agent.original',
  'audit.resource.type',
  'audit.resource.id',
  'audit.resource.name',
  'audit.reason',
] as const;

/**
 * Fills DESIGN.md's audit fields from whichever shape the record used: ECS dotted keys
 * (`user.id`), ECS nested objects (`user: {id}`), or the instrumentation's own shape
 * (`actor: {id, name, roles, ip, user_agent}`, `resource: {type, id, name}`, `action`,
 * `outcome`, `reason`), first match winning in that order. Runs only for audit events,
 * so it favours clarity over speed. Source containers (`actor`, `resource`) stay in the
 * document under their own names.
 */
export function applyAudit(doc: EcsDocument, rec: Obj | undefined): void {
  const r = rec ?? {};
  const recEvent = objAt(r, 'event');
  const user = objAt(r, 'user');
  const actor = objAt(r, 'actor');
  const resource = objAt(r, 'resource');
  const audit = objAt(r, 'audit');
  const auditResource = objAt(audit, 'resource');
  const source = objAt(r, 'source');
  const uaRaw = getOwn(r, 'user_agent');

  const action = firstStr(
    1024,
    getOwn(r, 'event.action'),
    field(recEvent, 'action'),
    getOwn(r, 'action'),
    getOwn(r, 'operation'),
  );
  const outcomeRaw = [
    getOwn(r, 'event.outcome'),
    field(recEvent, 'outcome'),
    getOwn(r, 'outcome'),
    getOwn(r, 'success'),
  ].find((v) => v !== undefined);
  const category = firstList(getOwn(r, 'event.category'), field(recEvent, 'category'), getOwn(r, 'category'));

  const event = doc.event;
  if (action !== undefined) event.action = action;
  event.outcome = normaliseOutcome(outcomeRaw);
  if (category !== undefined) event.category = category;
  event.kind ??= 'event';

  const userId = firstStr(
    1024,
    getOwn(r, 'user.id'),
    field(user, 'id'),
    field(actor, 'id'),
    getOwn(r, 'user_id'),
  );
  const userName = firstStr(
    1024,
    getOwn(r, 'user.name'),
    field(user, 'name'),
    field(actor, 'name'),
    getOwn(r, 'user'),
    getOwn(r, 'username'),
  );
  const roles = firstList(getOwn(r, 'user.roles'), field(user, 'roles'), field(actor, 'roles'));
  if (userId !== undefined || userName !== undefined || roles !== undefined) {
    const u: NonNullable<EcsDocument['user']> = isObj(doc.user) ? { ...doc.user } : {};
    if (userId !== undefined) u.id = userId;
    if (userName !== undefined) u.name = userName;
    if (roles !== undefined) u.roles = roles;
    doc.user = u;
  }

  const ip = firstStr(
    64,
    getOwn(r, 'source.ip'),
    field(source, 'ip'),
    field(actor, 'ip'),
    getOwn(r, 'client_ip'),
  );
  if (ip !== undefined) doc.source = { ...(isObj(doc.source) ? doc.source : {}), ip };

  const ua = firstStr(
    8192,
    getOwn(r, 'user_agent.original'),
    isObj(uaRaw) ? getOwn(uaRaw, 'original') : uaRaw,
    field(actor, 'user_agent'),
    getOwn(r, 'userAgent'),
  );
  if (ua !== undefined) doc.user_agent = { ...(isObj(doc.user_agent) ? doc.user_agent : {}), original: ua };

  const resType = firstStr(
    1024,
    getOwn(r, 'audit.resource.type'),
    field(auditResource, 'type'),
    field(resource, 'type'),
  );
  const resId = firstStr(
    1024,
    getOwn(r, 'audit.resource.id'),
    field(auditResource, 'id'),
    field(resource, 'id'),
  );
  const resName = firstStr(
    1024,
    getOwn(r, 'audit.resource.name'),
    field(auditResource, 'name'),
    field(resource, 'name'),
  );
  const reason = firstStr(8192, getOwn(r, 'audit.reason'), field(audit, 'reason'), getOwn(r, 'reason'));
  if (
    resType !== undefined ||
    resId !== undefined ||
    resName !== undefined ||
    reason !== undefined ||
    audit !== undefined
  ) {
    const a: NonNullable<EcsDocument['audit']> = audit === undefined ? {} : { ...audit };
    if (resType !== undefined || resId !== undefined || resName !== undefined) {
      const res: { type?: string; id?: string; name?: string } = { ...(auditResource ?? {}) };
      if (resType !== undefined) res.type = resType;
      if (resId !== undefined) res.id = resId;
      if (resName !== undefined) res.name = resName;
      a.resource = res;
    }
    if (reason !== undefined) a.reason = reason;
    doc.audit = a;
  }

  for (const k of CONSUMED_DOTTED) {
    if (Object.hasOwn(doc, k)) Reflect.deleteProperty(doc, k);
  }
}

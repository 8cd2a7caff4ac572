// Read-only accessors for the fields rules and the API look at, on validated or stored events.
import type { Json } from '../chain/hash.ts';

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export const action = (e: Json): string | undefined => str(obj(e['event'])?.['action']);
export const outcome = (e: Json): string | undefined => str(obj(e['event'])?.['outcome']);
export const eventId = (e: Json): string | undefined => str(obj(e['event'])?.['id']);
export const userId = (e: Json): string | undefined => str(obj(e['user'])?.['id']);
export const userName = (e: Json): string | undefined => str(obj(e['user'])?.['name']);
export const actor = (e: Json): string | undefined => userId(e) ?? userName(e);
export const sourceIp = (e: Json): string | undefined => str(obj(e['source'])?.['ip']);
export const resourceType = (e: Json): string | undefined =>
  str(obj(obj(e['audit'])?.['resource'])?.['type']);
export const resourceId = (e: Json): string | undefined => str(obj(obj(e['audit'])?.['resource'])?.['id']);
export const timestamp = (e: Json): string | undefined => str(e['@timestamp']);

export function roles(e: Json): string[] {
  const r = obj(e['user'])?.['roles'];
  if (typeof r === 'string') return [r];
  return Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : [];
}

/** Epoch milliseconds of `@timestamp` (nanoseconds beyond the millisecond are dropped). */
export function timeMs(e: Json): number {
  const t = timestamp(e);
  return t === undefined ? Number.NaN : Date.parse(t);
}

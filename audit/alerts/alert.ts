// The alert document: everything a responder needs without another query, and nothing that is not
// a function of the events (so the same alert built twice is the same document).
import type { Json } from '../chain/hash.ts';
import * as f from '../event/fields.ts';
import type { RuleHit } from '../rules/engine.ts';

export interface AlertDocument extends Json {
  '@timestamp': string;
  message: string;
  rule: { name: string; type: string; severity: string; description?: string };
  alert: {
    id: string;
    key: string;
    group_by: string;
    window_start: string;
    window_end: string;
    count: number;
    event_ids: readonly string[];
    topic: string;
    partition: number;
    trigger_offset: number;
  };
}

export function alertDocument(hit: RuleHit, topic: string, partition: number): AlertDocument {
  const { rule } = hit;
  const user: Json = {};
  const id = f.userId(hit.trigger);
  const name = f.userName(hit.trigger);
  if (id !== undefined) user['id'] = id;
  if (name !== undefined) user['name'] = name;
  const what =
    rule.type === 'threshold'
      ? `${hit.count} matching events for ${rule.group_by} ${hit.key} within ${rule.window / 1000}s`
      : `matching event by ${rule.group_by} ${hit.key}`;
  return {
    '@timestamp': f.timestamp(hit.trigger) ?? new Date(hit.windowStart).toISOString(),
    message: `audit rule ${rule.name}: ${what} (${f.action(hit.trigger) ?? '?'})`,
    rule: {
      name: rule.name,
      type: rule.type,
      severity: rule.severity,
      ...(rule.description === undefined ? {} : { description: rule.description }),
    },
    alert: {
      id: hit.alertId,
      key: hit.key,
      group_by: rule.group_by,
      window_start: new Date(hit.windowStart).toISOString(),
      window_end: new Date(hit.windowEnd).toISOString(),
      count: hit.count,
      event_ids: hit.eventIds,
      topic,
      partition,
      trigger_offset: hit.triggerOffset,
    },
    user,
    event: { kind: 'alert', action: f.action(hit.trigger), outcome: f.outcome(hit.trigger) },
    ...(f.resourceType(hit.trigger) === undefined && f.resourceId(hit.trigger) === undefined
      ? {}
      : { audit: { resource: { type: f.resourceType(hit.trigger), id: f.resourceId(hit.trigger) } } }),
  };
}

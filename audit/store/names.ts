// The three streams of one audit deployment. The namespace is validated by the config schema
// ([a-z0-9_]{1,100}), so these names can never reach outside `logs-audit*-<namespace>`.
export interface AuditStreams {
  readonly events: string;
  readonly digests: string;
  readonly alerts: string;
}

const NAMESPACE = /^[a-z0-9_]{1,100}$/;

export function auditStreams(namespace: string): AuditStreams {
  if (!NAMESPACE.test(namespace))
    throw new RangeError(`refusing to build an audit stream name from ${JSON.stringify(namespace)}`);
  return {
    events: `logs-audit-${namespace}`,
    digests: `logs-audit.digests-${namespace}`,
    alerts: `logs-audit.alerts-${namespace}`,
  };
}

/** `_id` of an event document: the Kafka coordinates, so that a replay of the same offset is a 409. */
export const eventDocId = (topic: string, partition: number, offset: string | number): string =>
  `${topic}-${partition}-${offset}`;

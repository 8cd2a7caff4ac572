import type { EcsDocument } from '../ecs/index.ts';
import type { RouteConfig } from './config.ts';
import { compileTagMatcher } from './tag-match.ts';

export type Destination = 'elasticsearch' | 'zipkin' | 'kafka';

/* Shared, frozen answers: routing allocates nothing per event. */
export const LOG_DESTINATIONS: readonly Destination[] = Object.freeze(['elasticsearch']);
export const SPAN_DESTINATIONS: readonly Destination[] = Object.freeze(['zipkin', 'elasticsearch']);
export const AUDIT_DESTINATIONS: readonly Destination[] = Object.freeze(['elasticsearch', 'kafka']);

export interface Router {
  /** Whether events with this tag are audit events by config; give it to `normaliseLog` as `isAuditTag`. */
  readonly isAuditTag: (tag: string) => boolean;
  /** Where a normalised document goes. */
  route(doc: EcsDocument): readonly Destination[];
}

/**
 * Routing is decided from the normalised document: spans (`data_stream.type: traces`) go
 * to Zipkin and Elasticsearch; audit events (`tributary.audit`, set by `normaliseLog` from
 * `audit: true` or a matching tag) to Elasticsearch and Kafka; other logs to Elasticsearch.
 */
export function createRouter(config: RouteConfig): Router {
  const isAuditTag = compileTagMatcher(config.audit.tags);
  return {
    isAuditTag,
    route(doc: EcsDocument): readonly Destination[] {
      if (doc.data_stream.type === 'traces') return SPAN_DESTINATIONS;
      if (doc.tributary?.audit === true) return AUDIT_DESTINATIONS;
      return LOG_DESTINATIONS;
    },
  };
}

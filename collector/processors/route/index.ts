export { createRouter, LOG_DESTINATIONS, SPAN_DESTINATIONS, AUDIT_DESTINATIONS } from './route.ts';
export type { Destination, Router } from './route.ts';
export { routeConfigSchema } from './config.ts';
export type { RouteConfig } from './config.ts';
export { matchTag, compileTagMatcher } from './tag-match.ts';

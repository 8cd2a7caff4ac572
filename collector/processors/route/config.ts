import { z } from 'zod';

/** `processors.route` in the collector's config. */
export const routeConfigSchema = z.strictObject({
  audit: z
    .strictObject({
      tags: z
        .array(z.string().min(1).max(1024))
        .default([])
        .describe(
          'Tags whose events are audit events even without `audit: true` in the record. Fluent Bit match patterns: `*` matches any characters, e.g. `audit.*`, `*.audit`.',
        ),
    })
    .prefault({})
    .describe('Audit events go to Elasticsearch like other logs and also to Kafka for the audit service.'),
});

export type RouteConfig = z.output<typeof routeConfigSchema>;

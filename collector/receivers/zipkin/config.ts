import { z } from 'zod';
import { size } from '../../../common/config/index.ts';

/** `receivers.zipkin` in the collector's config. It is served by the collector's HTTP server. */
export const zipkinReceiverConfigSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Serve `POST /api/v2/spans` on the collector HTTP port.'),
  max_body_bytes: size()
    .prefault(10 * 1024 * 1024)
    .describe('Largest request body accepted, as sent (compressed or not); larger answers 413.'),
  max_decompressed_bytes: size()
    .prefault(50 * 1024 * 1024)
    .describe('Largest body after gunzip; a larger one answers 413 (guards against gzip bombs).'),
  max_spans: z
    .number()
    .int()
    .positive()
    .default(50_000)
    .describe('Most spans in one request; more answers 413.'),
  retry_after_seconds: z
    .number()
    .int()
    .positive()
    .default(5)
    .describe('`Retry-After` sent with 503 while the durable queue is full.'),
});

export type ZipkinReceiverConfig = z.output<typeof zipkinReceiverConfigSchema>;

import { z } from 'zod';
import { retryConfigSchema } from '../retry.ts';
import { duration, size } from '../../../common/config/index.ts';

/** `exporters.zipkin` in the collector's config. */
export const zipkinExporterConfigSchema = z.strictObject({
  endpoint: z
    .url({ protocol: /^https?$/ })
    .default('http://127.0.0.1:9411')
    .describe('Base URL of the Zipkin server; spans are POSTed to `<endpoint>/api/v2/spans`.'),
  max_batch_spans: z
    .int()
    .min(1)
    .max(100_000)
    .default(512)
    .describe('Most spans in one request; a larger `send` is split into several requests.'),
  max_batch_bytes: size()
    .prefault('4MiB')
    .refine((n) => n >= 1024, 'max_batch_bytes must be at least 1KiB')
    .describe(
      'Most bytes of JSON in one request (before compression). A single span larger than this is still sent on its own.',
    ),
  request_timeout: duration()
    .prefault('10s')
    .refine((n) => n > 0, 'request_timeout must be > 0')
    .describe(
      'Time allowed for one HTTP request, response included; on expiry the request is retried. A bare number is seconds.',
    ),
  compression: z
    .enum(['none', 'gzip'])
    .default('none')
    .describe('Request body encoding: `gzip` sends `Content-Encoding: gzip` (Zipkin 2+ accepts it).'),
  retry: retryConfigSchema('connection errors, timeouts, 408, 429, 5xx'),
  headers: z
    .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid HTTP header name'), z.string())
    .optional()
    .describe(
      'Extra request headers, e.g. `Authorization: Bearer ${ZIPKIN_TOKEN}`. `Content-Type` and `Content-Encoding` are set by the exporter.',
    ),
});

export type ZipkinExporterConfig = z.output<typeof zipkinExporterConfigSchema>;
export type ZipkinExporterConfigInput = z.input<typeof zipkinExporterConfigSchema>;

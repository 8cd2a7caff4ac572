import { z } from 'zod';

/** `http` in the collector's config: the one HTTP server for the Zipkin receiver and operations. */
export const httpConfigSchema = z.strictObject({
  listen: z.string().default('0.0.0.0').describe('Address the HTTP server binds.'),
  port: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(9412)
    .describe('Port for `/api/v2/spans`, `/metrics`, `/healthz`, `/readyz`.'),
  bearer_tokens: z
    .array(z.string().min(16, 'a bearer token must have at least 16 characters'))
    .default([])
    .describe(
      'When set, `POST /api/v2/spans` requires `Authorization: Bearer <one of these>`. Operations endpoints stay open for probes.',
    ),
  tls: z
    .strictObject({
      cert_file: z.string().describe('PEM certificate chain.'),
      key_file: z.string().describe('PEM private key.'),
    })
    .optional()
    .describe('Serve HTTPS instead of HTTP.'),
});

export type HttpConfig = z.output<typeof httpConfigSchema>;

import { z } from 'zod';
import {
  bearerTokenSchema,
  httpListenSchema,
  httpPortSchema,
  httpTlsSchema,
} from '../../common/http/index.ts';

/** `http` in the collector's config: the one HTTP server for the Zipkin receiver and operations. */
export const httpConfigSchema = z.strictObject({
  listen: httpListenSchema,
  port: httpPortSchema(9412).describe('Port for `/api/v2/spans`, `/metrics`, `/healthz`, `/readyz`.'),
  bearer_tokens: z
    .array(bearerTokenSchema)
    .default([])
    .describe(
      'When set, `POST /api/v2/spans` requires `Authorization: Bearer <one of these>`. Operations endpoints stay open for probes.',
    ),
  tls: httpTlsSchema,
});

export type HttpConfig = z.output<typeof httpConfigSchema>;

// Config keys every HTTP server of ours (the collector's `http`, the audit service's `api`) spells the
// same way, so that they validate, default and document alike.
import { z } from 'zod';

export const httpListenSchema = z.string().default('0.0.0.0').describe('Address the HTTP server binds.');

/** A TCP port; 0 binds any free one. The caller describes what is served on it. */
export function httpPortSchema(defaultPort: number): z.ZodDefault<z.ZodInt> {
  return z.int().min(0).max(65535).default(defaultPort);
}

/** One bearer token's secret; too short a secret could be guessed. */
export const bearerTokenSchema = z.string().min(16, 'a bearer token must have at least 16 characters');

export const httpTlsSchema = z
  .strictObject({
    cert_file: z.string().describe('PEM certificate chain.'),
    key_file: z.string().describe('PEM private key.'),
  })
  .optional()
  .describe('Serve HTTPS instead of HTTP.');

/** What `listenHttp` needs of a server's config. */
export interface HttpListenConfig {
  readonly listen: string;
  readonly port: number;
  readonly tls?: z.output<typeof httpTlsSchema>;
}

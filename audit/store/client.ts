import { readFileSync } from 'node:fs';
import { Client } from '@elastic/elasticsearch';
import type { ClientOptions } from '@elastic/elasticsearch';
import type { AuditConfig } from '../config.ts';

/** One client per process; retries are ours (with backoff, until shutdown), never the client's. */
export function createEsClient(config: AuditConfig['elasticsearch']): Client {
  const options: ClientOptions = {
    nodes: [...config.endpoints],
    maxRetries: 0,
    requestTimeout: config.request_timeout,
    name: 'tributary-audit',
    tls: {
      rejectUnauthorized: config.tls.reject_unauthorized,
      ...(config.tls.ca_file === undefined ? {} : { ca: readFileSync(config.tls.ca_file) }),
    },
  };
  const { auth } = config;
  if (auth !== undefined)
    options.auth =
      'api_key' in auth ? { apiKey: auth.api_key } : { username: auth.username, password: auth.password };
  return new Client(options);
}

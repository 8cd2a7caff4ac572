// The `@elastic/elasticsearch` client for one es output: Fluent Bit's host/TLS/auth/net keys
// mapped onto client options. Only `transport.request` for `_bulk` is ever used, so the client
// never needs `GET /`, ILM, ingest or data stream APIs.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import type { ClientOptions } from '@elastic/elasticsearch';
import type { ConnectionOptions } from 'node:tls';
import type { EsOptions, EsTlsOptions } from './config.ts';

/** Every regular file of `tls.ca_path` (Fluent Bit hands the directory to OpenSSL, which reads PEMs). */
function readCaPath(dir: string): Buffer[] {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((p) => statSync(p).isFile())
    .map((p) => readFileSync(p));
}

function tlsOptions(tls: EsTlsOptions | undefined, connectTimeoutMs: number): ConnectionOptions {
  // Undici hands these options to its connector, which reads `timeout` as the connect timeout:
  // the only way to set net.connect_timeout through this client, on http as on https.
  const out: ConnectionOptions = { timeout: connectTimeoutMs };
  if (tls === undefined) return out;
  out.rejectUnauthorized = tls.verify;
  const ca = [
    ...(tls.caFile === undefined ? [] : [readFileSync(tls.caFile)]),
    ...(tls.caPath === undefined ? [] : readCaPath(tls.caPath)),
  ];
  if (ca.length > 0) out.ca = ca;
  if (tls.crtFile !== undefined) out.cert = readFileSync(tls.crtFile);
  if (tls.keyFile !== undefined) out.key = readFileSync(tls.keyFile);
  if (tls.keyPasswd !== undefined) out.passphrase = tls.keyPasswd;
  if (tls.vhost !== undefined) out.servername = tls.vhost;
  return out;
}

export function clientOptions(o: EsOptions): ClientOptions {
  const options: ClientOptions = {
    // Retrying is the engine's (Retry_Limit, scheduler backoff): one attempt per flush.
    maxRetries: 0,
    compression: o.compress,
    name: 'tributary-agent-es',
    tls: tlsOptions(o.tls, o.connectTimeoutMs),
    agent: {
      // Undici has no "no keep-alive": a 1 ms idle timeout closes a connection after each use.
      keepAliveTimeout: o.keepalive ? o.keepaliveIdleTimeoutMs : 1,
      keepAliveMaxTimeout: o.keepalive ? o.keepaliveIdleTimeoutMs : 1,
    },
  };
  if (o.cloudId !== undefined) options.cloud = { id: o.cloudId };
  else options.node = o.url ?? 'http://127.0.0.1:9200';
  if (o.auth !== undefined) options.auth = o.auth;
  return options;
}

/** Reads the TLS files now, so a wrong path fails at start rather than at the first flush. */
export function createClient(o: EsOptions): Client {
  return new Client(clientOptions(o));
}

// A small GET-JSON client for the Kubernetes API server (and the kubelet): bearer token re-read
// from Kube_Token_File every Kube_Token_TTL, the cluster CA from Kube_CA_File / Kube_CA_Path,
// Buffer_Size as the response limit, and an overall deadline so a silent API server cannot stall
// the pipeline. node:https rather than fetch: fetch takes a custom CA only through undici's Agent,
// which the agent does not depend on.
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import type { Logger } from '../../../common/log/logger.ts';
import type { KubeSettings } from './config.ts';

/** The server answered, but not 200. */
export class HttpStatusError extends Error {
  readonly status: number;
  constructor(status: number, what: string) {
    super(`HTTP ${status} for ${what}`);
    this.name = 'HttpStatusError';
    this.status = status;
  }
}

/** The answer was larger than Buffer_Size (Fluent Bit then drops it too). */
export class ResponseTooLargeError extends Error {
  constructor(limit: number, what: string) {
    super(`response for ${what} is larger than Buffer_Size (${limit} bytes); raise Buffer_Size`);
    this.name = 'ResponseTooLargeError';
  }
}

/** Whether a failure means the server could not be reached (rather than a per-pod answer). */
export function isUnreachable(err: unknown): boolean {
  return !(
    err instanceof HttpStatusError ||
    err instanceof ResponseTooLargeError ||
    err instanceof SyntaxError
  );
}

/** The connection settings as the filter's config has them, and what the filter adds. */
export interface KubeClientOptions extends Pick<
  KubeSettings,
  'caFile' | 'caPath' | 'tokenFile' | 'tokenTtlMs' | 'tlsVerify' | 'tlsVhost' | 'bufferSize'
> {
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly now: () => number;
}

export class KubeClient {
  private readonly opts: KubeClientOptions;
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private httpsAgent: https.Agent | undefined;
  private token: string | undefined;
  private tokenReadAt = -Infinity;
  private warnedToken = false;

  constructor(opts: KubeClientOptions) {
    this.opts = opts;
  }

  /** GETs `url` and parses the JSON body. Rejects with HttpStatusError, ResponseTooLargeError or a network error. */
  getJson(url: URL): Promise<unknown> {
    const { bufferSize, timeoutMs } = this.opts;
    const what = url.pathname;
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'Tributary' };
    const token = this.currentToken();
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const secure = url.protocol === 'https:';
    const options: https.RequestOptions = {
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers,
      agent: secure ? this.tlsAgent() : this.httpAgent,
    };
    return new Promise<unknown>((resolve, reject) => {
      const req = (secure ? https : http).request(options, (res) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          res.resume();
          reject(new HttpStatusError(status, what));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (bufferSize > 0 && size > bufferSize) {
            // Settle first, so the socket errors that destroying causes cannot be what is reported.
            reject(new ResponseTooLargeError(bufferSize, what));
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
          } catch (err) {
            reject(err as Error);
          }
        });
        res.on('error', reject);
      });
      // One deadline for the whole exchange: connect, TLS, headers and body.
      const timer = setTimeout(() => {
        reject(new Error(`no answer within ${timeoutMs} ms`));
        req.destroy();
      }, timeoutMs);
      req.on('error', reject);
      req.on('close', () => clearTimeout(timer));
      req.end();
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent?.destroy();
  }

  private currentToken(): string | undefined {
    const now = this.opts.now();
    if (now - this.tokenReadAt < this.opts.tokenTtlMs) return this.token;
    this.tokenReadAt = now;
    try {
      this.token = readFileSync(this.opts.tokenFile, 'utf8').trim();
    } catch (err) {
      // Fluent Bit goes on without an Authorization header; say so once.
      this.token = undefined;
      if (!this.warnedToken) {
        this.warnedToken = true;
        this.opts.logger.warn('cannot read Kube_Token_File; asking the API server without a token', {
          file: this.opts.tokenFile,
          error: (err as Error).message,
        });
      }
    }
    return this.token === '' ? undefined : this.token;
  }

  private tlsAgent(): https.Agent {
    if (this.httpsAgent !== undefined) return this.httpsAgent;
    const ca = this.readCa();
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: 4,
      rejectUnauthorized: this.opts.tlsVerify,
      ...(ca.length > 0 ? { ca } : {}),
      ...(this.opts.tlsVhost !== undefined ? { servername: this.opts.tlsVhost } : {}),
    });
    return this.httpsAgent;
  }

  private readCa(): string[] {
    const out: string[] = [];
    const { caFile, caPath, logger } = this.opts;
    if (caFile !== undefined) {
      try {
        out.push(readFileSync(caFile, 'utf8'));
      } catch (err) {
        logger.warn('cannot read Kube_CA_File; the API server certificate will not verify', {
          file: caFile,
          error: (err as Error).message,
        });
      }
    }
    if (caPath !== undefined) {
      try {
        for (const name of readdirSync(caPath).sort()) {
          if (!/\.(pem|crt|cer)$/i.test(name)) continue;
          try {
            out.push(readFileSync(join(caPath, name), 'utf8'));
          } catch {
            // A subdirectory or an unreadable file: not a certificate to use.
          }
        }
      } catch (err) {
        logger.warn('cannot read Kube_CA_Path', { dir: caPath, error: (err as Error).message });
      }
    }
    return out;
  }
}

// A throwaway TLS certificate for localhost and 127.0.0.1 (made with the openssl CLI), for every TLS
// test: the Forward server, receiver and output, the agent-to-collector hop, the kubernetes filter's
// stand-in API server. The certificate is its own CA, so `cert` doubles as the trust anchor.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Certificate {
  dir: string;
  key: Buffer;
  cert: Buffer;
  keyFile: string;
  certFile: string;
}

/** A self-signed certificate for localhost and 127.0.0.1. The caller removes `dir`. */
export function selfSignedCertificate(): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'pipe' },
  );
  return { dir, key: readFileSync(keyFile), cert: readFileSync(certFile), keyFile, certFile };
}

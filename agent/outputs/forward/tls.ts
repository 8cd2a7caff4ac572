// Turns a node's tls.* settings into node:tls connect options, reading the PEM files once at
// start-up so that a missing file is a config error, not a retry loop.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import { AgentConfigError } from '../../config/errors.ts';
import type { ForwardNode } from './types.ts';

export function tlsConnectOptions(node: ForwardNode): ConnectionOptions | undefined {
  const tls = node.tls;
  if (!tls.enabled || node.unixPath !== undefined) return undefined;
  const fail = (key: string, message: string): never => {
    throw new AgentConfigError([
      { file: node.file, line: node.line, key, message: `${node.name}: \`${key}\` ${message}` },
    ]);
  };
  const read = (key: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      return fail(key, `${path}: cannot read: ${(error as Error).message}`);
    }
  };
  const options: ConnectionOptions = { rejectUnauthorized: tls.verify };
  const extra: (string | Buffer)[] = [];
  if (tls.caFile !== undefined) extra.push(read('tls.ca_file', tls.caFile));
  if (tls.caPath !== undefined) {
    const dir = tls.caPath;
    let names: string[] = [];
    try {
      names = readdirSync(dir).sort();
    } catch (error) {
      fail('tls.ca_path', `${dir}: cannot read: ${(error as Error).message}`);
    }
    for (const name of names) {
      const path = join(dir, name);
      if (!statSync(path, { throwIfNoEntry: false })?.isFile()) continue;
      const pem = read('tls.ca_path', path);
      // OpenSSL's CApath also holds hash links and CRLs; only certificates are trust anchors.
      if (pem.includes('-----BEGIN CERTIFICATE-----')) extra.push(pem);
    }
  }
  // OpenSSL adds tls.ca_file to the system store rather than replacing it; so do we.
  if (extra.length > 0) options.ca = [...rootCertificates, ...extra];
  if ((tls.crtFile === undefined) !== (tls.keyFile === undefined)) {
    fail(
      tls.crtFile === undefined ? 'tls.key_file' : 'tls.crt_file',
      'needs both tls.crt_file and tls.key_file',
    );
  }
  if (tls.crtFile !== undefined) options.cert = read('tls.crt_file', tls.crtFile);
  if (tls.keyFile !== undefined) options.key = read('tls.key_file', tls.keyFile);
  if (tls.keyPasswd !== undefined) options.passphrase = tls.keyPasswd;
  // SNI must be a name (RFC 6066); certificate checks use it, or the host when it is an IP address.
  const servername = tls.vhost ?? (isIP(node.host) === 0 ? node.host : undefined);
  if (servername !== undefined) options.servername = servername;
  return options;
}

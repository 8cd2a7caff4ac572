// Ed25519 keys for digest signatures (node:crypto). The key id is the SHA-256 of the public key's
// DER, so a digest names the key that signed it and a verifier can tell a rotated key from a forgery.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface SigningKeys {
  readonly privateKey: KeyObject | undefined;
  readonly publicKey: KeyObject | undefined;
}

export function keyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 32);
}

function assertEd25519(key: KeyObject, where: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`${where}: expected an Ed25519 key, found ${key.asymmetricKeyType ?? key.type}`);
  return key;
}

export interface KeySources {
  readonly private_key_file?: string | undefined;
  readonly private_key_env?: string | undefined;
  readonly public_key_file?: string | undefined;
}

/** Loads what the config names; the public key falls back to the one derived from the private key. */
export function loadSigningKeys(sources: KeySources, env: NodeJS.ProcessEnv = process.env): SigningKeys {
  let privateKey: KeyObject | undefined;
  if (sources.private_key_file !== undefined) {
    privateKey = assertEd25519(
      createPrivateKey(readFileSync(sources.private_key_file)),
      sources.private_key_file,
    );
  } else if (sources.private_key_env !== undefined) {
    const pem = env[sources.private_key_env];
    if (pem === undefined || pem === '')
      throw new Error(`environment variable ${sources.private_key_env} (signing.private_key_env) is not set`);
    privateKey = assertEd25519(createPrivateKey(pem.replaceAll('\\n', '\n')), sources.private_key_env);
  }
  let publicKey: KeyObject | undefined;
  if (sources.public_key_file !== undefined) {
    publicKey = assertEd25519(
      createPublicKey(readFileSync(sources.public_key_file)),
      sources.public_key_file,
    );
    if (privateKey !== undefined && keyId(createPublicKey(privateKey)) !== keyId(publicKey))
      throw new Error('signing.public_key_file does not belong to the configured private key');
  } else if (privateKey !== undefined) {
    publicKey = createPublicKey(privateKey);
  }
  return { privateKey, publicKey };
}

export function generateSigningKeyPair(): { privatePem: string; publicPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyId(publicKey),
  };
}

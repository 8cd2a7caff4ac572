// Signed digests, after CloudTrail's digest files: every so often a partition's latest chain hash
// is signed, so that rewriting the chain (even with every hash recomputed) needs the private key.
import { sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { canonicalJson } from './hash.ts';
import type { Json } from './hash.ts';
import { keyId } from './keys.ts';

export const DIGEST_TYPE = 'tributary.audit.digest/v1';

/** What is signed: canonical JSON of exactly these fields. */
export interface DigestPayload {
  readonly type: typeof DIGEST_TYPE;
  readonly topic: string;
  readonly partition: number;
  readonly from_seq: number;
  readonly to_seq: number;
  /** `audit.chain.hash` of the event at `to_seq`. */
  readonly last_hash: string;
  /** ISO-8601 time the digest was made. */
  readonly created: string;
  readonly key_id: string;
}

export interface DigestDocument extends Json {
  '@timestamp': string;
  audit: { digest: DigestPayload & { signature: string } };
}

export function signDigest(
  payload: Omit<DigestPayload, 'type' | 'key_id'>,
  privateKey: KeyObject,
  publicKey: KeyObject,
): DigestDocument {
  const full: DigestPayload = { type: DIGEST_TYPE, ...payload, key_id: keyId(publicKey) };
  const signature = sign(null, Buffer.from(canonicalJson({ ...full })), privateKey).toString('base64');
  return { '@timestamp': full.created, audit: { digest: { ...full, signature } } };
}

export const digestDocId = (topic: string, partition: number, from: number, to: number): string =>
  `${topic}-${partition}-digest-${from}-${to}`;

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined;
}

/** The digest in a stored document, with its signature, if it is shaped like one. */
export function readDigest(doc: Json): (DigestPayload & { signature: string }) | undefined {
  const audit = doc['audit'];
  if (typeof audit !== 'object' || audit === null) return undefined;
  const d = (audit as Json)['digest'];
  if (typeof d !== 'object' || d === null) return undefined;
  const o = d as Json;
  const from = num(o['from_seq']);
  const to = num(o['to_seq']);
  const partition = num(o['partition']);
  const strs = ['type', 'topic', 'last_hash', 'created', 'key_id', 'signature'].map((k) => o[k]);
  if (from === undefined || to === undefined || partition === undefined) return undefined;
  if (!strs.every((s) => typeof s === 'string')) return undefined;
  return {
    type: DIGEST_TYPE,
    topic: o['topic'] as string,
    partition,
    from_seq: from,
    to_seq: to,
    last_hash: o['last_hash'] as string,
    created: o['created'] as string,
    key_id: o['key_id'] as string,
    signature: o['signature'] as string,
    ...(o['type'] === DIGEST_TYPE ? {} : { type: o['type'] as typeof DIGEST_TYPE }),
  };
}

/** Whether the signature holds over exactly the stored payload fields (any edit breaks it). */
export function digestSignatureValid(doc: Json, publicKey: KeyObject): boolean {
  const audit = doc['audit'] as Json | undefined;
  const d = audit?.['digest'];
  if (typeof d !== 'object' || d === null) return false;
  const { signature, ...payload } = d as Json;
  if (typeof signature !== 'string') return false;
  try {
    return verify(null, Buffer.from(canonicalJson(payload)), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

// The chain link: hash = SHA-256(prev || RFC 8785 canonical JSON of the document without
// `audit.chain`), hex. The canonical form makes the hash independent of key order and number
// spelling, so what Elasticsearch hands back verifies exactly as what was written.
import { createHash } from 'node:crypto';
import { canonicalize } from './canonical.ts';

/** `prev` of a partition's first event (seq 1). */
export const GENESIS = '0'.repeat(64);

export interface ChainFields {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly seq?: number;
  readonly prev?: string;
  readonly hash?: string;
}

export type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The document as hashed: `audit.chain` removed, and `audit` with it when nothing else is in
 * it. Never mutates `doc`.
 */
export function withoutChain(doc: Json): Json {
  const audit = doc['audit'];
  if (!isObject(audit) || !Object.hasOwn(audit, 'chain')) return doc;
  const { chain: _chain, ...rest } = audit;
  const { audit: _audit, ...others } = doc;
  return Object.keys(rest).length === 0 ? others : { ...others, audit: rest };
}

/** RFC 8785 (JCS). Throws on what JSON cannot hold canonically (lone surrogates). */
export function canonicalJson(value: Json): string {
  return canonicalize(value);
}

export function linkHash(prev: string, canonical: string): string {
  return createHash('sha256').update(prev).update(canonical).digest('hex');
}

/** The hash a document with these contents must carry when its predecessor's hash is `prev`. */
export function chainHash(prev: string, doc: Json): string {
  return linkHash(prev, canonicalJson(withoutChain(doc)));
}

/** `audit.chain` of a stored document, if it has a well-formed one. */
export function chainOf(doc: Json): ChainFields | undefined {
  const audit = doc['audit'];
  if (!isObject(audit)) return undefined;
  const c = audit['chain'];
  if (!isObject(c)) return undefined;
  const { topic, partition, offset, seq, prev, hash } = c;
  if (typeof topic !== 'string' || typeof partition !== 'number' || typeof offset !== 'number')
    return undefined;
  return {
    topic,
    partition,
    offset,
    ...(typeof seq === 'number' ? { seq } : {}),
    ...(typeof prev === 'string' ? { prev } : {}),
    ...(typeof hash === 'string' ? { hash } : {}),
  };
}

/** `event` with `audit.chain` set (a new object; nested objects other than `audit` are shared). */
export function withChain(event: Json, chain: ChainFields): Json {
  const audit = event['audit'];
  return { ...event, audit: { ...(isObject(audit) ? audit : {}), chain } };
}

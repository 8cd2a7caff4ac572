import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, it } from 'node:test';
import { signDigest } from '../chain/digest.ts';
import { canonicalJson, chainHash, chainOf, GENESIS, linkHash, withChain } from '../chain/hash.ts';
import type { Json } from '../chain/hash.ts';
import { generateSigningKeyPair } from '../chain/keys.ts';
import type { StoredDoc } from './walker.ts';
import { ChainWalker } from './walker.ts';

const pair = generateSigningKeyPair();
const privateKey = createPrivateKey(pair.privatePem);
const publicKey = createPublicKey(pair.publicPem);

/** A correct chain of `n` events on partition 0, offsets 10, 11, ... */
function chain(n: number): StoredDoc[] {
  const out: StoredDoc[] = [];
  let prev = GENESIS;
  for (let i = 1; i <= n; i++) {
    const event: Json = {
      '@timestamp': `2024-05-06T10:00:${String(i % 60).padStart(2, '0')}Z`,
      event: { action: 'a', outcome: 'success', id: `e${i}` },
      user: { id: 'u' },
    };
    const hash = linkHash(prev, canonicalJson(event));
    out.push({
      id: `t-0-${i + 9}`,
      source: withChain(event, { topic: 't', partition: 0, offset: i + 9, seq: i, prev, hash }),
    });
    prev = hash;
  }
  return out;
}

function digest(docs: StoredDoc[], from: number, to: number): { id: string; doc: Json } {
  const last = chainOf((docs[to - 1] as StoredDoc).source)?.hash ?? '';
  return {
    id: `t-0-digest-${from}-${to}`,
    doc: signDigest(
      {
        topic: 't',
        partition: 0,
        from_seq: from,
        to_seq: to,
        last_hash: last,
        created: '2024-05-06T11:00:00Z',
      },
      privateKey,
      publicKey,
    ),
  };
}

function walk(
  docs: StoredDoc[],
  digests: { id: string; doc: Json }[] = [],
  range: { from?: number; to?: number } = {},
) {
  const w = new ChainWalker({
    topic: 't',
    partition: 0,
    fromSeq: range.from ?? 1,
    toSeq: range.to ?? Infinity,
    publicKey,
  });
  for (const d of digests) w.addDigest(d.id, d.doc);
  const from = range.from ?? 1;
  for (const d of docs) {
    const seq = chainOf(d.source)?.seq ?? 0;
    if (seq >= from - 1 && seq <= (range.to ?? Infinity)) w.push(d);
  }
  const findings = w.finish();
  return { findings: findings.map((f) => [f.kind, f.seq, f.toSeq]), events: w.events };
}

const setChain = (d: StoredDoc, change: Json): StoredDoc => ({
  id: d.id,
  source: { ...d.source, audit: { chain: { ...{ ...chainOf(d.source) }, ...change } } },
});

describe('chain walker', () => {
  it('passes an intact chain with its digests, and any sub-range of it', () => {
    const docs = chain(200);
    const digests = [digest(docs, 1, 100), digest(docs, 101, 200)];
    assert.deepEqual(walk(docs, digests), { findings: [], events: 200 });
    assert.deepEqual(walk(docs, digests, { from: 50, to: 150 }), { findings: [], events: 101 });
  });

  it('reports an edited field at its seq, once', () => {
    const docs = chain(100);
    docs[41] = { id: docs[41]?.id ?? '', source: { ...docs[41]?.source, message: 'changed' } };
    assert.deepEqual(walk(docs).findings, [['edited', 42, 42]]);
  });

  it('reports a document rewritten with a recomputed hash at the rewritten seq', () => {
    const docs = chain(100);
    const d = docs[41] as StoredDoc;
    const c = { ...chainOf(d.source) };
    const content = { ...d.source, message: 'changed' };
    const rehashed = chainHash(String(c['prev']), content);
    docs[41] = setChain({ id: d.id, source: content }, { hash: rehashed });
    assert.deepEqual(walk(docs).findings, [['edited', 42, 42]]);
  });

  it('catches a whole tail rewritten consistently through the signed digest', () => {
    const docs = chain(100);
    const digests = [digest(docs, 1, 100)];
    // Rewrite seq 60..100 as a coherent new chain (the attacker has no key).
    let prev = chainOf((docs[58] as StoredDoc).source)?.hash ?? '';
    for (let i = 59; i < 100; i++) {
      const d = docs[i] as StoredDoc;
      const content = { ...d.source, message: 'forged' };
      const hash = chainHash(prev, content);
      docs[i] = setChain({ id: d.id, source: content }, { prev, hash });
      prev = hash;
    }
    const r = walk(docs, digests).findings;
    assert.deepEqual(r, [['edited', 100, 100]]);
  });

  it('reports deleted documents as missing, also at the tail beyond the chain', () => {
    const docs = chain(100);
    const digests = [digest(docs, 1, 100)];
    assert.deepEqual(
      walk(
        docs.filter((_, i) => i !== 19 && i !== 20),
        digests,
      ).findings,
      [['missing', 20, 21]],
    );
    assert.deepEqual(walk(docs.slice(0, 95), digests).findings, [['missing', 96, 100]]);
  });

  it('reports swapped seqs as reordered at the first of them', () => {
    const docs = chain(100);
    const a = docs[29] as StoredDoc;
    const b = docs[30] as StoredDoc;
    const swapped = [...docs];
    swapped[29] = setChain(b, { seq: 30 });
    swapped[30] = setChain(a, { seq: 31 });
    const r = walk(swapped).findings;
    assert.equal(r.length, 1);
    assert.deepEqual(r[0]?.slice(0, 2), ['reordered', 30]);
  });

  it('reports a second document claiming a seq as inserted', () => {
    const docs = chain(50);
    const copy = setChain({ id: 'forged', source: { ...(docs[9] as StoredDoc).source } }, {});
    const withCopy = [...docs.slice(0, 10), copy, ...docs.slice(10)];
    assert.deepEqual(walk(withCopy).findings, [['inserted', 10, 10]]);
  });

  it('reports altered and deleted digests', () => {
    const docs = chain(300);
    const [d1, d2, d3] = [digest(docs, 1, 100), digest(docs, 101, 200), digest(docs, 201, 300)];
    assert.ok(d1 && d2 && d3);
    const altered = {
      id: d2.id,
      doc: { ...d2.doc, audit: { digest: { ...(d2.doc['audit'] as { digest: Json }).digest, to_seq: 150 } } },
    };
    assert.deepEqual(walk(docs, [d1, altered, d3]).findings, [
      ['forged-digest', 101, 150],
      ['missing-digest', 101, 200],
    ]);
    assert.deepEqual(walk(docs, [d1, d3]).findings, [['missing-digest', 101, 200]]);
  });
});

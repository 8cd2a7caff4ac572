import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { digestSignatureValid, readDigest, signDigest } from './digest.ts';
import { canonicalJson, chainHash, chainOf, GENESIS, withChain, withoutChain } from './hash.ts';
import { generateSigningKeyPair, keyId, loadSigningKeys } from './keys.ts';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';

describe('chain links', () => {
  it('hashes prev || RFC 8785 canonical JSON, independent of key order and number spelling', () => {
    const a = { b: 1, a: [1e21, 0.5, 'é'], '@timestamp': 't', event: { outcome: 'success', action: 'x' } };
    const b = JSON.parse(
      '{"event":{"action":"x","outcome":"success"},"@timestamp":"t","a":[1000000000000000000000,5E-1,"\\u00e9"],"b":1.0}',
    );
    assert.equal(
      canonicalJson(a),
      '{"@timestamp":"t","a":[1e+21,0.5,"é"],"b":1,"event":{"action":"x","outcome":"success"}}',
    );
    assert.equal(canonicalJson(a), canonicalJson(b));
    const expected = createHash('sha256')
      .update(GENESIS + canonicalJson(a))
      .digest('hex');
    assert.equal(chainHash(GENESIS, a), expected);
    assert.notEqual(chainHash('1'.repeat(64), a), expected);
  });

  it('leaves the chain fields out of the hash, and an audit object emptied by that', () => {
    const event = { x: 1, audit: { resource: { type: 'order' } } };
    const link = { topic: 't', partition: 0, offset: 5, seq: 1, prev: GENESIS, hash: 'h' };
    const chained = withChain(event, link);
    assert.deepEqual(withoutChain(chained), event);
    assert.equal(chainHash(GENESIS, chained), chainHash(GENESIS, event));
    const bare = withChain({ x: 1 }, { topic: 't', partition: 0, offset: 5 });
    assert.deepEqual(withoutChain(bare), { x: 1 });
    assert.deepEqual(chainOf(chained), link);
    assert.equal(chainOf({ x: 1 }), undefined);
  });

  it('refuses what has no canonical form', () => {
    assert.throws(() => canonicalJson({ s: '\ud800' }), /surrogate/i);
  });
});

describe('digests', () => {
  const { privatePem, publicPem } = generateSigningKeyPair();
  const privateKey = createPrivateKey(privatePem);
  const publicKey = createPublicKey(publicPem);
  const payload = {
    topic: 't',
    partition: 2,
    from_seq: 1,
    to_seq: 10,
    last_hash: 'a'.repeat(64),
    created: '2024-05-06T10:00:00.000Z',
  };

  it('signs with Ed25519 over the canonical payload, naming the key', () => {
    const doc = signDigest(payload, privateKey, publicKey);
    assert.equal(doc.audit.digest.key_id, keyId(publicKey));
    assert.equal(digestSignatureValid(doc, publicKey), true);
    assert.deepEqual(readDigest(doc), doc.audit.digest);
    // Ed25519 is deterministic: the same digest signed twice is the same document.
    assert.deepEqual(signDigest(payload, privateKey, publicKey), doc);
    // What Elasticsearch hands back (reserialised) still verifies.
    assert.equal(digestSignatureValid(JSON.parse(JSON.stringify(doc)), publicKey), true);
  });

  it('detects any altered field and a foreign key', () => {
    const doc = signDigest(payload, privateKey, publicKey);
    for (const change of [{ last_hash: 'b'.repeat(64) }, { to_seq: 11 }, { partition: 3 }, { extra: 1 }]) {
      const altered = { ...doc, audit: { digest: { ...doc.audit.digest, ...change } } };
      assert.equal(digestSignatureValid(altered, publicKey), false, JSON.stringify(change));
    }
    const other = generateKeyPairSync('ed25519').publicKey;
    assert.equal(digestSignatureValid(doc, other), false);
  });

  it('loads keys from a file or the environment and refuses non-Ed25519 keys', () => {
    const keys = loadSigningKeys({ private_key_env: 'K' }, { K: privatePem.replaceAll('\n', '\\n') });
    assert.equal(keyId(keys.publicKey as never), keyId(publicKey));
    assert.throws(() => loadSigningKeys({ private_key_env: 'K' }, {}), /K .*not set/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    assert.throws(() => loadSigningKeys({ private_key_env: 'K' }, { K: rsa }), /expected an Ed25519 key/);
  });
});

describe('canonical JSON', () => {
  it('matches the canonicalize package (RFC 8785) on varied documents', async () => {
    const { default: reference } = await import('canonicalize');
    const { canonicalize } = await import('./canonical.ts');
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const strings = [
      '',
      'a',
      'é',
      '😀',
      'quote"',
      'back\\slash',
      'tab\t',
      '\u0001',
      '\u2028',
      '10',
      '9',
      '__proto__',
      'B',
      'a.b',
    ];
    const gen = (depth: number): unknown => {
      const r = rnd();
      if (depth > 3 || r < 0.3)
        return [1e21, -0, 0.1 + 0.2, 5e-7, 123456789012, -1.5, true, false, null][Math.floor(rnd() * 9)];
      if (r < 0.5) return strings[Math.floor(rnd() * strings.length)];
      if (r < 0.7) return Array.from({ length: Math.floor(rnd() * 4) }, () => gen(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(rnd() * 6); i > 0; i--)
        Object.defineProperty(o, strings[Math.floor(rnd() * strings.length)] as string, {
          value: gen(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return o;
    };
    for (let i = 0; i < 2000; i++) {
      const doc = { root: gen(0), n: i };
      assert.equal(canonicalize(doc), reference(doc));
    }
    assert.throws(() => canonicalize({ x: '\udc00' }), /surrogate/);
  });
});

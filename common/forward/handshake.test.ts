import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ClientHandshake,
  ServerHandshake,
  decodeHelo,
  decodePing,
  decodePong,
  encodePing,
  sha512Hex,
} from './handshake.ts';
import { cat, mp } from './test-helpers.ts';

const server = (users?: { username: string; password: string }[]): ServerHandshake =>
  new ServerHandshake({ sharedKey: 'secret', selfHostname: 'collector-0', ...(users ? { users } : {}) });

describe('secure forward handshake', () => {
  it('HELO carries a 16-byte nonce as bin, an empty auth salt without users, keepalive', () => {
    const helo = decodeHelo(server().helo);
    assert.equal(helo.nonce.length, 16);
    assert.equal(helo.auth.length, 0);
    assert.equal(helo.keepalive, true);
    assert.equal(server().helo[0], 0x92);
    assert.equal(decodeHelo(server([{ username: 'u', password: 'p' }]).helo).auth.length, 16);
  });

  it('succeeds with the right shared key, and both sides prove it', () => {
    const s = server();
    const c = new ClientHandshake({ sharedKey: 'secret', selfHostname: 'agent-1' });
    const verdict = s.answer(c.ping(s.helo));
    assert.equal(verdict.ok, true);
    assert.equal(verdict.hostname, 'agent-1');
    const pong = c.verify(verdict.pong);
    assert.deepEqual({ ok: pong.authenticated, host: pong.hostname }, { ok: true, host: 'collector-0' });
  });

  it('computes digests exactly as Fluentd: sha512_hex(salt + hostname + nonce + key)', () => {
    const s = server();
    const helo = decodeHelo(s.helo);
    const c = new ClientHandshake({ sharedKey: 'secret', selfHostname: 'agent-1' });
    const ping = decodePing(c.ping(s.helo));
    assert.equal(ping.sharedKeyDigest, sha512Hex(ping.sharedKeySalt, 'agent-1', helo.nonce, 'secret'));
    assert.equal(ping.username, '');
    assert.equal(ping.passwordDigest, '');
    const pong = decodePong(s.answer(c.ping(s.helo)).pong);
    assert.equal(pong.sharedKeyDigest.length, 128);
  });

  it('refuses a wrong shared key with PONG false and a reason', () => {
    const s = server();
    const c = new ClientHandshake({ sharedKey: 'wrong', selfHostname: 'agent-1' });
    const verdict = s.answer(c.ping(s.helo));
    assert.equal(verdict.ok, false);
    assert.equal(verdict.reason, 'shared_key mismatch');
    assert.deepEqual(decodePong(verdict.pong), {
      authenticated: false,
      reason: 'shared_key mismatch',
      hostname: '',
      sharedKeyDigest: '',
    });
    assert.throws(() => c.verify(verdict.pong), {
      kind: 'handshake',
      message: /refused authentication: shared_key mismatch/,
    });
  });

  it('checks username and password when the server has users', () => {
    const users = [{ username: 'alice', password: 'pw1' }];
    for (const [username, password, ok] of [
      ['alice', 'pw1', true],
      ['alice', 'nope', false],
      ['bob', 'pw1', false],
    ] as const) {
      const s = server(users);
      const c = new ClientHandshake({ sharedKey: 'secret', selfHostname: 'agent', username, password });
      const verdict = s.answer(c.ping(s.helo));
      assert.equal(verdict.ok, ok, `${username}/${password}`);
      if (ok) assert.equal(verdict.username, 'alice');
      else assert.equal(verdict.reason, 'username/password mismatch');
    }
  });

  it('client refuses a server that does not know the key or shares its hostname', () => {
    const s = server();
    const c = new ClientHandshake({ sharedKey: 'secret', selfHostname: 'agent-1' });
    const ping = decodePing(c.ping(s.helo));
    const liar = server(); // a different nonce: its digest cannot match
    assert.equal(liar.answer(encodePing(ping)).ok, false);
    const twin = new ServerHandshake({ sharedKey: 'secret', selfHostname: 'agent-1' });
    const c2 = new ClientHandshake({ sharedKey: 'secret', selfHostname: 'agent-1' });
    assert.throws(() => c2.verify(twin.answer(c2.ping(twin.helo)).pong), /same hostname/);
  });

  it('answers malformed PINGs with a refusal, not an exception', () => {
    for (const bytes of [
      mp(['PING']),
      mp({}),
      mp(['PONG', 1, 2, 3, 4, 5]),
      cat([0x96], mp('PING'), mp(1)),
      Buffer.from([0xc1]),
    ]) {
      const verdict = server().answer(bytes);
      assert.equal(verdict.ok, false);
      assert.match(verdict.reason, /^invalid ping message: /);
    }
  });

  it('rejects malformed HELO and PONG on the client side', () => {
    assert.throws(() => decodeHelo(mp(['HELO', {}])), { kind: 'handshake', message: 'HELO has no nonce' });
    assert.throws(() => decodeHelo(mp(['HELO', 1])), /HELO options must be a map/);
    assert.throws(() => decodeHelo(mp(['PING', {}])), /expected HELO, got "PING"/);
    assert.throws(() => decodePong(mp(['PONG', 'yes', '', '', ''])), /PONG result must be a boolean/);
    assert.throws(
      () =>
        new ClientHandshake({ sharedKey: 'k', selfHostname: 'h' }).verify(mp(['PONG', true, '', 'x', 'y'])),
      /PONG before HELO/,
    );
  });
});

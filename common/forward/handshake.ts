import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ForwardProtocolError } from './errors.ts';
import { MsgpackReader } from './msgpack-reader.ts';
import { MsgpackWriter } from './msgpack-writer.ts';

// Secure forward handshake (Forward protocol v1), byte-compatible with Fluentd and Fluent Bit:
//   server -> HELO ['HELO', {nonce, auth, keepalive}]
//   client -> PING ['PING', hostname, shared_key_salt, sha512_hex(salt + hostname + nonce + shared_key),
//                   username, sha512_hex(auth_salt + username + password)]
//   server -> PONG ['PONG', ok, reason, self_hostname, sha512_hex(salt + self_hostname + nonce + shared_key)]
// Nonces and salts are random bytes sent as msgpack bin; digests hash raw bytes, never re-encoded text.

export interface Helo {
  nonce: Uint8Array;
  /** Salt for user authentication; empty when the server has no users. */
  auth: Uint8Array;
  keepalive: boolean;
}

export interface Ping {
  hostname: string;
  sharedKeySalt: Uint8Array;
  sharedKeyDigest: string;
  username: string;
  passwordDigest: string;
}

export interface Pong {
  authenticated: boolean;
  reason: string;
  hostname: string;
  sharedKeyDigest: string;
}

export interface ForwardUser {
  username: string;
  password: string;
}

export function sha512Hex(...parts: (string | Uint8Array)[]): string {
  const hash = createHash('sha512');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function handshakeError(message: string): ForwardProtocolError {
  return new ForwardProtocolError('handshake', message);
}

function readMessage(bytes: Uint8Array, name: string, arity: number): MsgpackReader {
  const r = new MsgpackReader(bytes);
  const n = r.readArrayHeader();
  if (n === undefined) throw handshakeError(`${name} must be an array, got ${r.describe()}`);
  if (n !== arity) throw handshakeError(`${name} must have ${arity} elements, got ${n}`);
  const kind = r.readString();
  if (kind !== name)
    throw handshakeError(
      `expected ${name}, got ${kind === undefined ? r.describe() : JSON.stringify(kind.slice(0, 16))}`,
    );
  return r;
}

function readText(r: MsgpackReader, what: string): string {
  const s = r.readString();
  if (s === undefined) throw handshakeError(`${what} must be a string, got ${r.describe()}`);
  return s;
}

function readRaw(r: MsgpackReader, what: string): Uint8Array {
  const b = r.readBytes();
  if (b === undefined) throw handshakeError(`${what} must be a string or binary, got ${r.describe()}`);
  return b;
}

function end(r: MsgpackReader, name: string): void {
  if (!r.atEnd) throw handshakeError(`${r.end - r.pos} bytes after ${name}`);
}

export function encodeHelo(helo: Helo): Buffer {
  return new MsgpackWriter()
    .arrayHeader(2)
    .string('HELO')
    .mapHeader(3)
    .string('nonce')
    .binary(helo.nonce)
    .string('auth')
    .binary(helo.auth)
    .string('keepalive')
    .boolean(helo.keepalive)
    .finish();
}

export function decodeHelo(bytes: Uint8Array): Helo {
  const r = readMessage(bytes, 'HELO', 2);
  const n = r.readMapHeader();
  if (n === undefined) throw handshakeError(`HELO options must be a map, got ${r.describe()}`);
  const helo: Helo = { nonce: new Uint8Array(0), auth: new Uint8Array(0), keepalive: true };
  let sawNonce = false;
  for (let i = 0; i < n; i++) {
    const key = r.readString();
    if (key === 'nonce') {
      helo.nonce = readRaw(r, 'HELO nonce');
      sawNonce = true;
    } else if (key === 'auth') {
      helo.auth = readRaw(r, 'HELO auth');
    } else if (key === 'keepalive') {
      const keepalive = r.readBoolean();
      if (keepalive === undefined)
        throw handshakeError(`HELO keepalive must be a boolean, got ${r.describe()}`);
      helo.keepalive = keepalive;
    } else {
      if (key === undefined) r.skip();
      r.skip();
    }
  }
  if (!sawNonce) throw handshakeError('HELO has no nonce');
  end(r, 'HELO');
  return helo;
}

export function encodePing(ping: Ping): Buffer {
  return new MsgpackWriter()
    .arrayHeader(6)
    .string('PING')
    .string(ping.hostname)
    .binary(ping.sharedKeySalt)
    .string(ping.sharedKeyDigest)
    .string(ping.username)
    .string(ping.passwordDigest)
    .finish();
}

export function decodePing(bytes: Uint8Array): Ping {
  const r = readMessage(bytes, 'PING', 6);
  const ping: Ping = {
    hostname: readText(r, 'PING hostname'),
    sharedKeySalt: readRaw(r, 'PING shared key salt'),
    sharedKeyDigest: readText(r, 'PING shared key digest'),
    username: readText(r, 'PING username'),
    passwordDigest: readText(r, 'PING password digest'),
  };
  end(r, 'PING');
  return ping;
}

export function encodePong(pong: Pong): Buffer {
  return new MsgpackWriter()
    .arrayHeader(5)
    .string('PONG')
    .boolean(pong.authenticated)
    .string(pong.reason)
    .string(pong.hostname)
    .string(pong.sharedKeyDigest)
    .finish();
}

export function decodePong(bytes: Uint8Array): Pong {
  const r = readMessage(bytes, 'PONG', 5);
  const authenticated = r.readBoolean();
  if (authenticated === undefined) throw handshakeError(`PONG result must be a boolean, got ${r.describe()}`);
  const pong: Pong = {
    authenticated,
    reason: readText(r, 'PONG reason'),
    hostname: readText(r, 'PONG hostname'),
    sharedKeyDigest: readText(r, 'PONG shared key digest'),
  };
  end(r, 'PONG');
  return pong;
}

export interface ServerHandshakeConfig {
  sharedKey: string;
  selfHostname: string;
  /** When non-empty, clients must also send a username and password digest. */
  users?: readonly ForwardUser[];
}

export interface PingVerdict {
  ok: boolean;
  /** Why authentication failed; empty when ok. Sent to the client in the PONG. */
  reason: string;
  /** The PONG to send back. */
  pong: Buffer;
  hostname?: string;
  username?: string;
}

/** One connection's server side: holds the nonce and salt the HELO announced. */
export class ServerHandshake {
  readonly helo: Buffer;
  private readonly nonce: Buffer;
  private readonly authSalt: Buffer;
  private readonly config: ServerHandshakeConfig;

  constructor(config: ServerHandshakeConfig) {
    this.config = config;
    this.nonce = randomBytes(16);
    this.authSalt = config.users !== undefined && config.users.length > 0 ? randomBytes(16) : Buffer.alloc(0);
    this.helo = encodeHelo({ nonce: this.nonce, auth: this.authSalt, keepalive: true });
  }

  /** Checks a PING frame. Malformed PINGs are refused like wrong keys, with a PONG saying why. */
  answer(pingBytes: Uint8Array): PingVerdict {
    let ping: Ping;
    try {
      ping = decodePing(pingBytes);
    } catch (error) {
      return this.refuse(`invalid ping message: ${(error as Error).message}`);
    }
    const expected = sha512Hex(ping.sharedKeySalt, ping.hostname, this.nonce, this.config.sharedKey);
    if (!sameDigest(ping.sharedKeyDigest, expected)) return this.refuse('shared_key mismatch', ping);
    if (this.authSalt.length > 0) {
      const user = this.config.users?.find((u) => u.username === ping.username);
      // Hash and compare for unknown users too, so timing does not tell which usernames exist.
      const digest = sha512Hex(this.authSalt, ping.username, user?.password ?? this.nonce);
      const match = sameDigest(ping.passwordDigest, digest);
      if (user === undefined || !match) return this.refuse('username/password mismatch', ping);
    }
    const pong = encodePong({
      authenticated: true,
      reason: '',
      hostname: this.config.selfHostname,
      sharedKeyDigest: sha512Hex(
        ping.sharedKeySalt,
        this.config.selfHostname,
        this.nonce,
        this.config.sharedKey,
      ),
    });
    return { ok: true, reason: '', pong, hostname: ping.hostname, username: ping.username };
  }

  private refuse(reason: string, ping?: Ping): PingVerdict {
    const pong = encodePong({ authenticated: false, reason, hostname: '', sharedKeyDigest: '' });
    const verdict: PingVerdict = { ok: false, reason, pong };
    if (ping !== undefined) {
      verdict.hostname = ping.hostname;
      verdict.username = ping.username;
    }
    return verdict;
  }
}

export interface ClientHandshakeConfig {
  sharedKey: string;
  selfHostname: string;
  username?: string;
  password?: string;
}

/** One connection's client side (the agent's forward output). */
export class ClientHandshake {
  private readonly config: ClientHandshakeConfig;
  private readonly salt: Buffer;
  private nonce: Uint8Array | undefined;

  constructor(config: ClientHandshakeConfig) {
    this.config = config;
    this.salt = randomBytes(16);
  }

  /** Answers the server's HELO with a PING. */
  ping(heloBytes: Uint8Array): Buffer {
    const helo = decodeHelo(heloBytes);
    this.nonce = helo.nonce;
    const username = this.config.username ?? '';
    const passwordDigest =
      helo.auth.length > 0 ? sha512Hex(helo.auth, username, this.config.password ?? '') : '';
    return encodePing({
      hostname: this.config.selfHostname,
      sharedKeySalt: this.salt,
      sharedKeyDigest: sha512Hex(this.salt, this.config.selfHostname, helo.nonce, this.config.sharedKey),
      username,
      passwordDigest,
    });
  }

  /** Checks the PONG; throws a `handshake` ForwardProtocolError when refused or when the server is not who it claims. */
  verify(pongBytes: Uint8Array): Pong {
    if (this.nonce === undefined) throw handshakeError('PONG before HELO');
    const pong = decodePong(pongBytes);
    if (!pong.authenticated) throw handshakeError(`server refused authentication: ${pong.reason}`);
    if (pong.hostname === this.config.selfHostname) {
      throw handshakeError('server has the same hostname as this client: invalid configuration');
    }
    const expected = sha512Hex(this.salt, pong.hostname, this.nonce, this.config.sharedKey);
    if (!sameDigest(pong.sharedKeyDigest, expected)) throw handshakeError('server shared_key mismatch');
    return pong;
  }
}

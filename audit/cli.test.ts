// The command line of the audit service (`tributary audit ...`): keygen, serve --dry-run, and config errors. `verify` is run against a real trail
// in trail.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createPrivateKey, createPublicKey } from 'node:crypto';

import { runCli as run } from './testing/cli.ts';

const runCli = (...args: string[]) => run(args);

describe('tributary audit (command line)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-audit-cli-'));

  it('keygen writes an Ed25519 key pair, the private key readable by its owner only, and refuses to overwrite', () => {
    const priv = join(dir, 'keys', 'signing.key');
    const pub = join(dir, 'keys', 'signing.pub');
    const r = runCli('keygen', '--private-key', priv, '--public-key', pub);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /key id [0-9a-f]{32}/);
    assert.equal(statSync(priv).mode & 0o777, 0o600);
    assert.equal(createPrivateKey(readFileSync(priv)).asymmetricKeyType, 'ed25519');
    assert.equal(createPublicKey(readFileSync(pub)).asymmetricKeyType, 'ed25519');
    const again = runCli('keygen', '--private-key', priv, '--public-key', pub);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /exists \(use --force/);
  });

  it('serve --dry-run validates the config and the keys, masking tokens', () => {
    const priv = join(dir, 'dry.key');
    assert.equal(runCli('keygen', '--private-key', priv, '--public-key', join(dir, 'dry.pub')).status, 0);
    const config = join(dir, 'audit.yaml');
    writeFileSync(
      config,
      `signing: { private_key_file: ${priv} }\napi: { tokens: [{ name: ops, token: "\${AUDIT_TOKEN}" }] }\n`,
    );
    const r = run(['serve', '-c', config, '--dry-run'], {
      ...process.env,
      AUDIT_TOKEN: 'a-very-secret-token-value',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /configuration is valid/);
    assert.doesNotMatch(r.stdout, /a-very-secret-token-value/);
  });

  it('exits 2 naming the bad key on an invalid config', () => {
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, 'kafka:\n  topik: x\n');
    for (const cmd of ['serve', 'verify']) {
      const r = runCli(cmd, '-c', config);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /bad\.yaml:2:3: kafka\.topik: unknown key `topik`, did you mean `topic`\?/);
    }
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'kafka: { topic: x }\n');
    const r = runCli('verify', '-c', good, '--from', 'soon');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--from: expected a seq number or an ISO-8601 time/);
  });
});

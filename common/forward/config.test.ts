import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FORWARD_SERVER_OPTIONS, resolveServerConfig } from './config.ts';

describe('forward server config', () => {
  it('fills defaults', () => {
    const config = resolveServerConfig();
    assert.equal(config.port, 24224);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.maxFrameBytes, 16 * 1024 * 1024);
    assert.equal(config.heartbeat, false);
    assert.ok(config.selfHostname.length > 0);
  });

  it('documents every option it accepts', () => {
    const documented = FORWARD_SERVER_OPTIONS.map((o) => o.name).sort();
    assert.deepEqual(documented, Object.keys(resolveServerConfig()).sort());
  });

  it('names the bad option', () => {
    assert.throws(
      () => resolveServerConfig({ port: 70000 }),
      /option port must be an integer in 0\.\.65535, got 70000/,
    );
    assert.throws(() => resolveServerConfig({ maxFrameBytes: 1.5 }), /maxFrameBytes/);
    assert.throws(
      () => resolveServerConfig({ users: [{ username: 'a', password: 'b' }] }),
      /users needs sharedKey/,
    );
    assert.throws(() => resolveServerConfig({ sharedKey: '' }), /sharedKey must not be empty/);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { checkDiskSpace, detectJava, portIsFree, requireMaven } from './preflight.ts';
import { StackError } from './settings.ts';

test('no java: the error says what is missing and how to get it', async () => {
  await assert.rejects(detectJava({ PATH: '/nonexistent' }), (e: unknown) => {
    assert.ok(e instanceof StackError);
    assert.match(e.message, /java not found.*Java 17\+/);
    return true;
  });
});

test('the machine java is found and is 17 or newer', async () => {
  const java = await detectJava();
  assert.ok(java.major >= 17, `java ${java.version}`);
  assert.ok(java.home.length > 0);
});

test('no mvn: the error names Maven', () => {
  assert.throws(() => requireMaven({ PATH: '/nonexistent' }), /mvn not found on PATH.*Maven/);
});

test('portIsFree sees a taken port', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  assert.equal(await portIsFree(address.port), false);
  server.close();
  await new Promise((r) => server.once('close', r));
  assert.equal(await portIsFree(address.port), true);
});

test('out of disk: the error gives the free space and the need', async () => {
  await assert.rejects(
    checkDiskSpace('/', Number.MAX_SAFE_INTEGER),
    /out of disk: [\d.]+ GiB free at \/; the local stack needs at least/,
  );
  await checkDiskSpace('/', 1);
});

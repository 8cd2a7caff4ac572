import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createInventoryApp } from './apps.ts';
import { exampleMode, exampleWorkMicros } from './serve.ts';

test('EXAMPLE_MODE: full by default, the three modes, anything else a clear error', () => {
  assert.equal(exampleMode({}), 'full');
  for (const mode of ['full', 'tracing', 'plain'] as const)
    assert.equal(exampleMode({ EXAMPLE_MODE: mode }), mode);
  assert.throws(
    () => exampleMode({ EXAMPLE_MODE: 'traced' }),
    /EXAMPLE_MODE=traced: use full, tracing or plain/,
  );
});

test('EXAMPLE_WORK_US: 0 by default, whole microseconds up to a second, anything else a clear error', () => {
  assert.equal(exampleWorkMicros({}), 0);
  assert.equal(exampleWorkMicros({ EXAMPLE_WORK_US: '1000' }), 1000);
  for (const bad of ['', ' ', '-1', '1.5', 'abc', '1e9', '0x10 ms'])
    assert.throws(
      () => exampleWorkMicros({ EXAMPLE_WORK_US: bad }),
      /EXAMPLE_WORK_US=.*: use a whole number of microseconds from 0 to 1000000/,
      bad,
    );
});

test('inventory with simulated work still answers every route', async () => {
  const server = createInventoryApp({}, 200).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const stock = await fetch(`${base}/stock/sku-9`);
    assert.equal(stock.status, 200);
    assert.deepEqual(await stock.json(), { sku: 'sku-9', available: 1_000_000_000 });
    const reservation = await fetch(`${base}/reservations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'sku-9', quantity: 2 }),
    });
    assert.equal(reservation.status, 201);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

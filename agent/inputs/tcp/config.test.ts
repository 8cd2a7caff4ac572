import assert from 'node:assert/strict';
import { it } from 'node:test';
import { tcpOptionsFromConfig } from './config.ts';

it('tcpOptionsFromConfig maps typed config values', () => {
  assert.deepEqual(
    tcpOptionsFromConfig({
      listen: '127.0.0.1',
      port: 9090,
      format: 'none',
      separator: '\r\n',
      chunk_size: 32768,
      buffer_size: 65536,
      source_address_key: 'src',
    }),
    {
      listen: '127.0.0.1',
      port: 9090,
      format: 'none',
      separator: '\r\n',
      chunkSize: 32768,
      bufferSize: 65536,
      sourceAddressKey: 'src',
    },
  );
  assert.deepEqual(tcpOptionsFromConfig({}), {});
});

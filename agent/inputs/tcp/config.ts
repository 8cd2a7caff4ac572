// Maps a loaded `[INPUT] Name tcp` section (agent/config: `values` is typed, defaults applied,
// keys lower-cased; Chunk_Size/Buffer_Size already ×1024, Separator already unescaped) onto
// TcpInputOptions. Validation is the config registry's job; this only reads.
import type { TypedValue } from '../../config/types.ts';
import type { TcpFormat, TcpInputOptions } from './input.ts';

export type TcpConfigOptions = Omit<TcpInputOptions, 'onRecords' | 'log'>;

export function tcpOptionsFromConfig(values: Readonly<Record<string, TypedValue>>): TcpConfigOptions {
  const str = (k: string): string | undefined =>
    typeof values[k] === 'string' ? (values[k] as string) : undefined;
  const num = (k: string): number | undefined =>
    typeof values[k] === 'number' ? (values[k] as number) : undefined;
  const out: TcpConfigOptions = {};
  const listen = str('listen');
  if (listen !== undefined) out.listen = listen;
  const port = num('port');
  if (port !== undefined) out.port = port;
  const format = str('format')?.toLowerCase();
  if (format === 'json' || format === 'none') out.format = format satisfies TcpFormat;
  const separator = str('separator');
  if (separator !== undefined) out.separator = separator;
  const chunkSize = num('chunk_size');
  if (chunkSize !== undefined) out.chunkSize = chunkSize;
  const bufferSize = num('buffer_size');
  if (bufferSize !== undefined) out.bufferSize = bufferSize;
  const key = str('source_address_key');
  if (key !== undefined && key !== '') out.sourceAddressKey = key;
  return out;
}

import { ForwardProtocolError } from './errors.ts';
import type { MsgpackReader } from './msgpack-reader.ts';
import type { MsgpackWriter } from './msgpack-writer.ts';

/** Compressions the protocol defines; 'text' is Fluentd's explicit "not compressed". */
export type ForwardCompression = 'gzip' | 'text';

/** The option map that ends a frame. Unknown keys are skipped, as Fluentd does. */
export interface ForwardOptions {
  /** Ack id: the server answers `{ack: chunk}` once the frame is safely stored. */
  chunk?: string;
  /** Number of entries the sender put in the frame; checked against the entries received. */
  size?: number;
  compressed?: ForwardCompression;
  /** Fluent Bit's signal type: 0 logs, 1 metrics, 2 traces. */
  fluentSignal?: number;
}

/** Reads the option element (a map, or nil meaning none). */
export function readOptions(r: MsgpackReader): ForwardOptions {
  const options: ForwardOptions = {};
  if (r.isNil()) {
    r.pos++;
    return options;
  }
  const n = r.readMapHeader();
  if (n === undefined)
    throw new ForwardProtocolError('bad_option', `option must be a map, got ${r.describe()}`);
  for (let i = 0; i < n; i++) {
    const key = r.readString();
    if (key === undefined) {
      r.skip();
      r.skip();
      continue;
    }
    switch (key) {
      case 'chunk': {
        const chunk = r.readString();
        if (chunk === undefined) {
          throw new ForwardProtocolError('bad_option', `option chunk must be a string, got ${r.describe()}`);
        }
        options.chunk = chunk;
        break;
      }
      case 'size': {
        const size = r.readInteger();
        if (size === undefined || size < 0 || !Number.isSafeInteger(size)) {
          throw new ForwardProtocolError(
            'bad_option',
            `option size must be a non-negative integer, got ${size ?? r.describe()}`,
          );
        }
        options.size = size;
        break;
      }
      case 'compressed': {
        const compressed = r.readString();
        if (compressed === undefined) {
          throw new ForwardProtocolError(
            'bad_option',
            `option compressed must be a string, got ${r.describe()}`,
          );
        }
        if (compressed !== 'gzip' && compressed !== 'text') {
          throw new ForwardProtocolError(
            'unknown_compression',
            `unsupported compression ${JSON.stringify(compressed.slice(0, 32))} (supported: gzip, text)`,
          );
        }
        options.compressed = compressed;
        break;
      }
      case 'fluent_signal': {
        const signal = r.readInteger();
        if (signal === undefined) {
          throw new ForwardProtocolError(
            'bad_option',
            `option fluent_signal must be an integer, got ${r.describe()}`,
          );
        }
        options.fluentSignal = signal;
        break;
      }
      default:
        r.skip();
    }
  }
  return options;
}

/** Number of keys `writeOptions` will write, so callers can omit an empty option map. */
export function optionCount(options: ForwardOptions): number {
  return (
    (options.chunk !== undefined ? 1 : 0) +
    (options.size !== undefined ? 1 : 0) +
    (options.compressed !== undefined ? 1 : 0) +
    (options.fluentSignal !== undefined ? 1 : 0)
  );
}

export function writeOptions(w: MsgpackWriter, options: ForwardOptions): void {
  w.mapHeader(optionCount(options));
  if (options.size !== undefined) w.string('size').number(options.size);
  if (options.chunk !== undefined) w.string('chunk').string(options.chunk);
  if (options.compressed !== undefined) w.string('compressed').string(options.compressed);
  if (options.fluentSignal !== undefined) w.string('fluent_signal').number(options.fluentSignal);
}

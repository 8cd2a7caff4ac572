import { ForwardProtocolError } from './errors.ts';
import { MsgpackReader } from './msgpack-reader.ts';
import { MsgpackWriter } from './msgpack-writer.ts';

/** The server's answer to a frame that carried a `chunk` option: `{ack: chunk}`. */
export function encodeAck(chunk: string): Buffer {
  return new MsgpackWriter(chunk.length + 8).mapHeader(1).string('ack').string(chunk).finish();
}

/** Reads `{ack: chunk}` (client side). */
export function decodeAck(bytes: Uint8Array): string {
  const r = new MsgpackReader(bytes);
  const n = r.readMapHeader();
  if (n === undefined) throw new ForwardProtocolError('malformed', `ack must be a map, got ${r.describe()}`);
  let chunk: string | undefined;
  for (let i = 0; i < n; i++) {
    const key = r.readString();
    if (key === 'ack') {
      chunk = r.readString();
      if (chunk === undefined)
        throw new ForwardProtocolError('malformed', `ack value must be a string, got ${r.describe()}`);
    } else {
      if (key === undefined) r.skip();
      r.skip();
    }
  }
  if (chunk === undefined) throw new ForwardProtocolError('malformed', 'ack map has no "ack" key');
  if (!r.atEnd) throw new ForwardProtocolError('malformed', `${r.end - r.pos} bytes after the ack`);
  return chunk;
}

// Reads a request body under a byte limit, gunzipping under a second limit, without buffering past either.
import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);

export class BodyError extends Error {
  override name = 'BodyError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export async function readLimited(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new BodyError(413, `request body of ${declared} bytes exceeds the limit of ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      // Stop reading: the rest of an oversized body is never buffered.
      request.destroy();
      throw new BodyError(413, `request body exceeds the limit of ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
}

export async function decodeContent(
  body: Buffer,
  encoding: string | undefined,
  maxBytes: number,
): Promise<Buffer> {
  const name = (encoding ?? 'identity').trim().toLowerCase();
  if (name === 'identity' || name === '') return body;
  if (name !== 'gzip')
    throw new BodyError(
      415,
      `Content-Encoding ${JSON.stringify(encoding)} is not supported; use gzip or none`,
    );
  try {
    return await gunzipAsync(body, { maxOutputLength: maxBytes });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new BodyError(413, `gzip body inflates past the limit of ${maxBytes} bytes`);
    }
    throw new BodyError(400, `gzip body is corrupt: ${(error as Error).message}`);
  }
}

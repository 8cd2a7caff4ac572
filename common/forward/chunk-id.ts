import { randomBytes } from 'node:crypto';

/** A fresh ack id as Fluentd makes them: 128 random bits, base64. */
export function newChunkId(): string {
  return randomBytes(16).toString('base64');
}

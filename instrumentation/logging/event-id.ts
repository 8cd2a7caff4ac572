// `event.id` of every record, made when the event is emitted (DESIGN.md): the exporters write with
// it as `_id`, so a record resent after a lost ack lands once. A random per-process prefix (96 bits)
// plus a counter is unique across processes for all practical purposes and much cheaper per event
// than a UUID; a forked worker re-evaluates this module and gets its own prefix.
import { randomBytes } from 'node:crypto';

const prefix = randomBytes(12).toString('base64url');
let counter = 0;

export function nextEventId(): string {
  return prefix + (counter++).toString(36);
}

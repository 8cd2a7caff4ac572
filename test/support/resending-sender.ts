// Sends numbered events over Forward the way an at-least-once client must: every frame has a chunk
// id, and when the connection drops (collector killed), it reconnects and resends every frame not
// yet acked, with the same chunk id. Fault tests count the events at the far end.
import { setTimeout as sleep } from 'node:timers/promises';
import { EventTime, newChunkId, type EntryInput } from '../../common/forward/index.ts';
import { ForwardTestClient } from './forward-client.ts';

export interface NumberedEventsOptions {
  port: () => number;
  tag: string;
  total: number;
  perFrame: number;
  /** Frames sent before waiting for acks. */
  window: number;
  /** Makes the record of event `seq`. */
  record: (seq: number) => Record<string, unknown>;
  /** Give up reconnecting after this long without an ack. */
  patienceMs?: number;
  onProgress?: (acked: number) => void;
}

export async function sendNumberedEvents(
  options: NumberedEventsOptions,
): Promise<{ framesAfterReconnect: number; reconnects: number }> {
  const frames = Math.ceil(options.total / options.perFrame);
  const chunks = Array.from({ length: frames }, () => newChunkId());
  const entries = (frame: number): EntryInput[] => {
    const out: EntryInput[] = [];
    const end = Math.min(options.total, (frame + 1) * options.perFrame);
    for (let seq = frame * options.perFrame; seq < end; seq++)
      out.push({ time: EventTime.now(), record: options.record(seq) });
    return out;
  };
  const acked = new Set<number>();
  let framesAfterReconnect = 0;
  let reconnects = 0;
  let lastProgress = Date.now();
  const patience = options.patienceMs ?? 120_000;
  while (acked.size < frames) {
    let client: ForwardTestClient;
    try {
      client = await ForwardTestClient.connect(options.port());
    } catch {
      if (Date.now() - lastProgress > patience) throw new Error(`no collector to send to for ${patience} ms`);
      await sleep(200);
      continue;
    }
    try {
      const pending = [...Array(frames).keys()].filter((f) => !acked.has(f));
      let next = 0;
      await Promise.all(
        Array.from({ length: options.window }, async () => {
          while (next < pending.length) {
            const frame = pending[next++] as number;
            if (reconnects > 0) framesAfterReconnect++;
            await client.send(options.tag, entries(frame), chunks[frame]);
            acked.add(frame);
            lastProgress = Date.now();
            options.onProgress?.(Math.min(options.total, acked.size * options.perFrame));
          }
        }),
      );
    } catch {
      reconnects++;
      await sleep(100);
    } finally {
      client.close();
    }
  }
  return { framesAfterReconnect, reconnects };
}

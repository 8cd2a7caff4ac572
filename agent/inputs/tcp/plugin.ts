// The tcp input as an engine plugin: one socket read is one chunk; every record gets the event id
// made at receipt (DESIGN.md: TCP has no stable identity to derive one from).
import { EVENT_ID_KEY } from '../../engine/types.ts';
import type { InputFactory, LogEvent } from '../../engine/types.ts';
import { tcpOptionsFromConfig } from './config.ts';
import { TcpInput, tcpEventId } from './input.ts';

export const createTcpInput: InputFactory = (instance, ctx, host) => {
  const tag = instance.tag;
  const input = new TcpInput({
    ...tcpOptionsFromConfig(instance.values),
    log: (e) => ctx.logger.warn(`skipped ${e.kind}: ${e.message}`, { peer: e.peer, sample: e.sample }),
    onRecords: (batch) => {
      const sec = Math.floor(batch.receivedAt / 1000);
      const nsec = (batch.receivedAt - sec * 1000) * 1_000_000;
      const records = batch.records;
      const events = new Array<LogEvent>(records.length);
      for (let i = 0; i < records.length; i++) {
        const record = records[i] as Record<string, unknown>;
        if (record[EVENT_ID_KEY] === undefined) record[EVENT_ID_KEY] = tcpEventId(batch, i);
        events[i] = { sec, nsec, record };
      }
      host.ingest({ tag, events, bytes: batch.bytes });
    },
  });
  let port: number | undefined;
  return {
    start: async () => {
      port = (await input.start()).port;
    },
    listeningPort: () => port,
    pause: () => input.pause(),
    resume: () => input.resume(),
    stop: () => input.stop(),
  };
};

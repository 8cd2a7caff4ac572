// The forward input (Fluent Bit `forward`): common/forward's server, with each frame one chunk.
// A frame is acked to its sender only once the agent holds it safely (on disk with filesystem
// storage, else delivered by every output), so a sender with acks on never loses a frame to an
// agent crash. Pausing holds frames unacked: the server then stops reading that connection.
import { readFileSync } from 'node:fs';
import { ForwardServer } from '../../../common/forward/index.ts';
import type { ForwardServerOptions, ForwardUser } from '../../../common/forward/index.ts';
import { getBool, getNumber, getString } from '../../config/access.ts';
import type { InputInstance } from '../../config/types.ts';
import { EncodedChunk } from '../../engine/encoded-chunk.ts';
import type { InputFactory, InputPlugin } from '../../engine/types.ts';

export function forwardServerOptions(instance: InputInstance): ForwardServerOptions {
  const v = instance.values;
  const options: ForwardServerOptions = {
    host: getString(v, 'listen') ?? '0.0.0.0',
    port: getNumber(v, 'port') ?? 24224,
    maxFrameBytes: getNumber(v, 'buffer_max_size') ?? 6_144_000,
    selfHostname: getString(v, 'self_hostname') ?? 'localhost',
  };
  const sharedKey = getString(v, 'shared_key') ?? (getBool(v, 'empty_shared_key') === true ? '' : undefined);
  if (sharedKey !== undefined) options.sharedKey = sharedKey;
  const users = (v['security.users'] as readonly string[] | string | undefined) ?? [];
  options.users = (typeof users === 'string' ? [users] : users).map((pair): ForwardUser => {
    const [username = '', password = ''] = pair.trim().split(/\s+/);
    return { username, password };
  });
  if (getBool(v, 'tls') === true) {
    const cert = getString(v, 'tls.crt_file');
    const key = getString(v, 'tls.key_file');
    if (cert === undefined || key === undefined) {
      throw new Error(
        `${instance.file}:${instance.line}: forward input with tls on needs tls.crt_file and tls.key_file`,
      );
    }
    options.tls = { cert: readFileSync(cert), key: readFileSync(key) };
  }
  return options;
}

export const createForwardInput: InputFactory = (instance, ctx, host) => {
  const prefix = getString(instance.values, 'tag_prefix') ?? '';
  const fixedTag = instance.tagGiven ? instance.tag : undefined;
  let paused = false;
  let resumeWaiters: (() => void)[] = [];
  const server = new ForwardServer({
    ...forwardServerOptions(instance),
    logger: ctx.logger,
    onFrame: async (frame) => {
      while (paused) await new Promise<void>((resolve) => resumeWaiters.push(resolve));
      const tag = fixedTag ?? prefix + frame.tag;
      await new Promise<void>((resolve) => {
        // Kept as the sender's msgpack: a forward output sends it on without decoding it.
        const chunk = new EncodedChunk(
          tag,
          { stream: frame.eventStream(), count: frame.entryCount },
          frame.byteLength,
        );
        host.ingest(chunk, { onStored: resolve });
      });
    },
  });
  let port: number | undefined;
  const plugin: InputPlugin = {
    start: async () => {
      port = (await server.start()).port;
    },
    listeningPort: () => port,
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
      const waiters = resumeWaiters;
      resumeWaiters = [];
      for (const w of waiters) w();
    },
    stop: () => server.close(0),
  };
  return plugin;
};

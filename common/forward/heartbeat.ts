import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';

/** Fluentd's heartbeat reply: one zero byte. */
const HEARTBEAT_REPLY = Buffer.from([0x00]);

/**
 * UDP heartbeat responder on the Forward port, as Fluentd's in_forward does: every datagram is answered
 * with a single zero byte so senders using `heartbeat_type udp` see this server as alive. The reply is
 * never larger than the request, so it cannot be used to amplify traffic.
 */
export class HeartbeatResponder {
  private socket: Socket | undefined;
  private readonly onBeat: () => void;

  constructor(onBeat: () => void = () => {}) {
    this.onBeat = onBeat;
  }

  start(host: string, port: number): Promise<void> {
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', reuseAddr: false });
    this.socket = socket;
    socket.on('message', (_msg, rinfo) => {
      this.onBeat();
      socket.send(HEARTBEAT_REPLY, rinfo.port, rinfo.address, () => {});
    });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        // Send failures (ICMP unreachable and the like) concern one peer, never the server.
        socket.on('error', () => {});
        resolve();
      });
    });
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}

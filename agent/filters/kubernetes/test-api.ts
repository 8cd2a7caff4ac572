// A stand-in Kubernetes API server (and kubelet) for the kubernetes filter's tests: serves Pod and
// Namespace objects and the kubelet's `/pods` list over HTTP or HTTPS, checks the bearer token,
// records every request, and can be told to hang (never answer) to exercise the timeout.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeApi {
  readonly url: string;
  readonly port: number;
  readonly requests: { readonly path: string; readonly authorization: string | undefined }[];
  /** `namespace/name` → Pod object. */
  readonly pods: Map<string, unknown>;
  /** name → Namespace object. */
  readonly namespaces: Map<string, unknown>;
  /** When true, requests are accepted and never answered. */
  hang: boolean;
  close(): Promise<void>;
}

export interface FakeApiOptions {
  readonly token: string;
  /** PEM, e.g. from `selfSignedCertificate()` in test/support/tls.ts. */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** Default: any free port. */
  readonly port?: number;
}

export async function startFakeApi(opts: FakeApiOptions): Promise<FakeApi> {
  const sockets = new Set<Socket>();
  const api: Omit<FakeApi, 'url' | 'port' | 'close'> = {
    requests: [],
    pods: new Map(),
    namespaces: new Map(),
    hang: false,
  };
  const handler: http.RequestListener = (req, res) => {
    const path = req.url ?? '';
    api.requests.push({ path, authorization: req.headers.authorization });
    if (api.hang) return;
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${opts.token}`) {
      send(401, { kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
      return;
    }
    const pod = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(path);
    const ns = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(path);
    let found: unknown;
    if (pod !== null)
      found = api.pods.get(`${decodeURIComponent(pod[1] ?? '')}/${decodeURIComponent(pod[2] ?? '')}`);
    else if (ns !== null) found = api.namespaces.get(decodeURIComponent(ns[1] ?? ''));
    else if (path === '/pods')
      found = { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [...api.pods.values()] };
    if (found === undefined) send(404, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
    else send(200, found);
  };
  const server = opts.tls
    ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler)
    : http.createServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return Object.assign(api, {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
}

export const DOCKER_ID = 'aeeccc7a9f00f6e4e066aeff0434cf80621215071f1b20a51e8340aa7c35eac6';

/** The docs' tag for /var/log/containers/apache-logs-annotated_default_apache-<id>.log. */
export const APACHE_TAG = `kube.var.log.containers.apache-logs-annotated_default_apache-${DOCKER_ID}.log`;

/** A Pod object as the API server returns it (trimmed), for the docs' apache-logs-annotated pod. */
export function apachePod(annotations: Readonly<Record<string, string>> = {}): Record<string, unknown> {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name: 'apache-logs-annotated',
      namespace: 'default',
      uid: 'e9f2963f-1d4d-11e8-b3d8-0800277e5d8e',
      labels: { app: 'apache-logs' },
      annotations: { 'kubernetes.io/config.seen': '2024-01-01T00:00:00Z', ...annotations },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'apache-7d9f', uid: 'r-1' }],
    },
    spec: { nodeName: 'minikube', containers: [{ name: 'apache', image: 'edsiper/apache_logs' }] },
    status: {
      phase: 'Running',
      podIP: '172.17.0.5',
      containerStatuses: [
        {
          name: 'sidecar',
          image: 'busybox:1',
          imageID: 'docker-pullable://busybox@sha256:0000',
          containerID: 'docker://1111',
        },
        {
          name: 'apache',
          image: 'edsiper/apache_logs:latest',
          imageID: 'docker-pullable://edsiper/apache_logs@sha256:abcd',
          containerID: `docker://${DOCKER_ID}`,
        },
      ],
    },
  };
}

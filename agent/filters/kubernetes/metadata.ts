// Builds the `kubernetes` and `kubernetes_namespace` maps Fluent Bit adds, from the tag and the
// API server's Pod / Namespace objects, in Fluent Bit's key order (kube_meta.c merge_pod_meta):
// pod_name, namespace_name, pod_id, labels, annotations, ownerReferences, host, pod_ip,
// container_name, docker_id, container_hash, container_image.
import type { TagMeta } from './tag.ts';

type Obj = Readonly<Record<string, unknown>>;

function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** What the tag alone gives (Use_Tag_For_Meta, or while the API server cannot be asked). */
export function tagOnlyMap(t: TagMeta): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (t.podName !== undefined) out.pod_name = t.podName;
  if (t.namespace !== undefined) out.namespace_name = t.namespace;
  if (t.containerName !== undefined) out.container_name = t.containerName;
  if (t.dockerId !== undefined) out.docker_id = t.dockerId;
  return out;
}

/**
 * Fluent Bit's extract_hash: the part after `scheme://` (`docker://abc` → `abc`,
 * `docker-pullable://nginx@sha256:…` → `nginx@sha256:…`), or the whole value when there is a
 * colon but no `//` (`sha256:…`); nothing without a colon.
 */
export function extractHash(v: string): string | undefined {
  const colon = v.indexOf(':');
  if (colon === -1 || v.length <= 1) return undefined;
  let end = colon;
  while (v[end + 1] === '/') end++;
  const out = end === colon ? v : v.slice(end + 1);
  return out === '' ? undefined : out;
}

interface ContainerStatus {
  dockerId: string | undefined;
  hash: string | undefined;
  image: string | undefined;
}

/** The container's id, image id and image from status.containerStatuses / initContainerStatuses. */
function containerStatus(
  status: Obj | undefined,
  container: string | undefined,
): ContainerStatus | undefined {
  if (status === undefined || container === undefined) return undefined;
  for (const [key, list] of Object.entries(status)) {
    if ((key !== 'containerStatuses' && key !== 'initContainerStatuses') || !Array.isArray(list)) continue;
    for (const item of list as unknown[]) {
      const s = obj(item);
      if (s === undefined || s.name !== container) continue;
      const id = text(s.containerID);
      const imageId = text(s.imageID);
      return {
        dockerId: id === undefined ? undefined : extractHash(id),
        hash: imageId === undefined ? undefined : extractHash(imageId),
        image: text(s.image),
      };
    }
  }
  return undefined;
}

export interface PodMapOptions {
  readonly labels: boolean;
  readonly annotations: boolean;
  readonly ownerReferences: boolean;
}

/** The `kubernetes` map for a pod the API server described. */
export function podMap(t: TagMeta, pod: unknown, opts: PodMapOptions): Record<string, unknown> {
  const root = obj(pod);
  const meta = obj(root?.metadata);
  const spec = obj(root?.spec);
  const status = obj(root?.status);
  const out: Record<string, unknown> = {};
  if (t.podName !== undefined) out.pod_name = t.podName;
  if (t.namespace !== undefined) out.namespace_name = t.namespace;
  if (meta !== undefined) {
    if (Object.hasOwn(meta, 'uid')) out.pod_id = meta.uid;
    if (opts.labels && Object.hasOwn(meta, 'labels')) out.labels = meta.labels;
    if (opts.annotations && Object.hasOwn(meta, 'annotations')) out.annotations = meta.annotations;
    if (opts.ownerReferences && Object.hasOwn(meta, 'ownerReferences'))
      out.ownerReferences = meta.ownerReferences;
  }
  if (spec !== undefined && Object.hasOwn(spec, 'nodeName')) out.host = spec.nodeName;
  if (status !== undefined && Object.hasOwn(status, 'podIP')) out.pod_ip = status.podIP;
  if (t.containerName !== undefined) out.container_name = t.containerName;
  // The tag's docker_id wins; the status fills in what the tag does not give.
  const cs = containerStatus(status, t.containerName);
  const dockerId = t.dockerId ?? cs?.dockerId;
  if (dockerId !== undefined) out.docker_id = dockerId;
  const hash = t.containerHash ?? cs?.hash;
  if (hash !== undefined) out.container_hash = hash;
  if (cs?.image !== undefined) out.container_image = cs.image;
  return out;
}

/** The pod's annotations map (for `fluentbit.io/*`), whatever `Annotations` says about adding them. */
export function podAnnotations(pod: unknown): Obj | undefined {
  return obj(obj(obj(pod)?.metadata)?.annotations);
}

/** Whether a Pod object is the pod `namespace/name` (a kubelet `/pods` list holds every pod of the node). */
export function isPod(item: unknown, namespace: string, name: string): boolean {
  const meta = obj(obj(item)?.metadata);
  return meta?.name === name && meta.namespace === namespace;
}

export interface NamespaceMapOptions {
  readonly labels: boolean;
  readonly annotations: boolean;
}

/** The `kubernetes_namespace` map: the name, and the labels / annotations asked for. */
export function namespaceMap(name: string, ns: unknown, opts: NamespaceMapOptions): Record<string, unknown> {
  const meta = obj(obj(ns)?.metadata);
  const out: Record<string, unknown> = { name };
  if (meta !== undefined) {
    if (opts.labels && Object.hasOwn(meta, 'labels')) out.labels = meta.labels;
    if (opts.annotations && Object.hasOwn(meta, 'annotations')) out.annotations = meta.annotations;
  }
  return out;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Dummy_Meta's map: `{dummy: <asctime of now>}`, as Fluent Bit adds for tests. */
export function dummyMap(nowMs: number): Record<string, unknown> {
  const d = new Date(nowMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  const asctime = `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
  return { dummy: asctime };
}

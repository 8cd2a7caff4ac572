// A pod's `fluentbit.io/*` annotations, read as Fluent Bit's kube_property.c does:
//
//   fluentbit.io/parser[_stdout|_stderr][-<container>]: <parser>   (needs K8S-Logging.Parser On)
//   fluentbit.io/exclude[_stdout|_stderr][-<container>]: "true"    (needs K8S-Logging.Exclude On)
//
// No stream suffix means both streams; a container suffix applies to that container only and wins
// over a pod-wide annotation whatever the order they are listed in.

export interface StreamProps {
  parser: string | undefined;
  exclude: boolean | undefined;
}

export interface PodProps {
  readonly stdout: StreamProps;
  readonly stderr: StreamProps;
}

export interface AnnotationOptions {
  readonly allowParser: boolean;
  readonly allowExclude: boolean;
  readonly parserExists: (name: string) => boolean;
  /** Called for annotations that cannot be honoured, with why. */
  readonly warn: (message: string, annotation: string) => void;
}

const PREFIX = 'fluentbit.io/';
const TRUE = new Set(['on', 'true', 'yes']);

type Stream = 'stdout' | 'stderr' | undefined;

function set(
  props: PodProps,
  field: 'parser' | 'exclude',
  value: string | boolean,
  stream: Stream,
  containerSpecific: boolean,
): void {
  for (const s of ['stdout', 'stderr'] as const) {
    if (stream !== undefined && stream !== s) continue;
    const target = props[s];
    if (!containerSpecific && target[field] !== undefined) continue;
    if (field === 'parser') target.parser = value as string;
    else target.exclude = value as boolean;
  }
}

/** The pod's logging properties for `container`, or `undefined` when it has no `fluentbit.io/` annotation. */
export function readAnnotations(
  annotations: Readonly<Record<string, unknown>>,
  container: string | undefined,
  opts: AnnotationOptions,
): PodProps | undefined {
  let props: PodProps | undefined;
  for (const [key, raw] of Object.entries(annotations)) {
    if (!key.startsWith(PREFIX) || key.length === PREFIX.length || typeof raw !== 'string') continue;
    const m = /^(parser|exclude)(?:_(stdout|stderr))?(?:-(.+))?$/.exec(key.slice(PREFIX.length));
    if (m === null) {
      opts.warn('unknown or malformed annotation', key);
      continue;
    }
    const field = m[1] as 'parser' | 'exclude';
    const stream = m[2] as Stream;
    const only = m[3];
    if (only !== undefined && only !== container) continue;
    if (field === 'parser') {
      if (!opts.allowParser) {
        opts.warn('annotation not allowed: K8S-Logging.Parser is Off', key);
        continue;
      }
      if (!opts.parserExists(raw)) {
        opts.warn(`annotation names a parser that does not exist: ${raw}`, key);
        continue;
      }
    } else if (!opts.allowExclude) {
      opts.warn('annotation not allowed: K8S-Logging.Exclude is Off', key);
      continue;
    }
    props ??= {
      stdout: { parser: undefined, exclude: undefined },
      stderr: { parser: undefined, exclude: undefined },
    };
    set(
      props,
      field,
      field === 'parser' ? raw : TRUE.has(raw.trim().toLowerCase()),
      stream,
      only !== undefined,
    );
  }
  return props;
}

import { z } from 'zod';
import { DEFAULT_DATASET, DEFAULT_NAMESPACE, dataStreamPartProblem } from './naming.ts';
import { DEFAULT_SERVICE_LABEL_KEYS } from './normalise-log.ts';
import type { NormaliseLogOptions } from './normalise-log.ts';
import type { NormaliseSpanOptions } from './normalise-span.ts';

const part = (isNamespace: boolean) =>
  z.string().superRefine((v, ctx) => {
    const problem = dataStreamPartProblem(v, isNamespace);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

/** `processors.ecs` in the collector's config. */
export const ecsConfigSchema = z.strictObject({
  default_namespace: part(true)
    .default(DEFAULT_NAMESPACE)
    .describe(
      'Data stream namespace for events without a Kubernetes namespace. `[a-z0-9_]`, at most 100 characters.',
    ),
  default_dataset: part(false)
    .default(DEFAULT_DATASET)
    .describe(
      'Data stream dataset for log events without a service name. `[a-z0-9_.]`, at most 100 characters.',
    ),
  service_label_keys: z
    .array(z.string().min(1))
    .default([...DEFAULT_SERVICE_LABEL_KEYS])
    .describe(
      'Pod labels naming the service when the record has no `service.name`, tried in order before the container name.',
    ),
  span_namespace_tag: z
    .string()
    .min(1)
    .default('k8s.namespace.name')
    .describe('Span tag giving the Kubernetes namespace of a Zipkin span.'),
});

export type EcsConfig = z.output<typeof ecsConfigSchema>;

/** Options for `normaliseLog`/`normaliseSpan` from the validated config. */
export function ecsOptions(
  config: EcsConfig,
  isAuditTag?: (tag: string) => boolean,
): { readonly log: NormaliseLogOptions; readonly span: NormaliseSpanOptions } {
  return {
    log: {
      defaultNamespace: config.default_namespace,
      defaultDataset: config.default_dataset,
      serviceLabelKeys: config.service_label_keys,
      ...(isAuditTag === undefined ? {} : { isAuditTag }),
    },
    span: { defaultNamespace: config.default_namespace, namespaceTag: config.span_namespace_tag },
  };
}

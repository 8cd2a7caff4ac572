// OTEL_RESOURCE_ATTRIBUTES as the OTel spec defines it: `key=value` pairs separated by commas,
// values percent-encoded. Parsed here rather than by the SDK's env detector so that explicit
// options, these attributes and the Kubernetes ones merge in one documented order.
export type ResourceAttributes = Record<string, string | number | boolean>;

export function parseResourceAttributes(raw: string): ResourceAttributes {
  const out: ResourceAttributes = {};
  for (const pair of raw.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`"${pair.trim()}" is not key=value`);
    const key = pair.slice(0, eq).trim();
    let value: string;
    try {
      value = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      throw new Error(`the value of "${key}" is not valid percent-encoding`);
    }
    out[key] = value;
  }
  return out;
}

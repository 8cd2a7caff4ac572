// ECS `error.*` fields for a thrown value. Anything can be thrown, so nothing here may throw.
const MAX_CAUSES = 3;

export interface ErrorFields {
  'error.type': string;
  'error.message': string;
  'error.stack_trace'?: string;
}

function describe(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}

export function errorFields(value: unknown): ErrorFields {
  if (!(value instanceof Error)) return { 'error.type': typeof value, 'error.message': describe(value) };
  const fields: ErrorFields = {
    'error.type': value.name || value.constructor.name || 'Error',
    'error.message': String(value.message),
  };
  let stack = typeof value.stack === 'string' ? value.stack : undefined;
  // Node's stack omits `cause`; the cause is usually the part worth reading.
  let cause: unknown = value.cause;
  for (let i = 0; i < MAX_CAUSES && cause !== undefined; i++) {
    const text =
      cause instanceof Error ? (cause.stack ?? `${cause.name}: ${cause.message}`) : describe(cause);
    stack = `${stack ?? ''}\nCaused by: ${text}`;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  if (stack !== undefined) fields['error.stack_trace'] = stack;
  return fields;
}

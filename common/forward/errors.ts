/**
 * What went wrong, as a stable label: the server counts errors by kind, so these strings are metric label
 * values and must not change casually.
 */
export type ForwardErrorKind =
  | 'malformed'
  | 'truncated'
  | 'bad_time'
  | 'bad_record'
  | 'bad_option'
  | 'size_mismatch'
  | 'frame_too_large'
  | 'record_too_large'
  | 'decompressed_too_large'
  | 'bad_compression'
  | 'unknown_compression'
  | 'unsupported_extension'
  | 'too_deep'
  | 'handshake';

/** Every rejection of peer input is one of these, so callers can tell bad input from their own bugs. */
export class ForwardProtocolError extends Error {
  readonly kind: ForwardErrorKind;

  constructor(kind: ForwardErrorKind, message: string) {
    super(message);
    this.name = 'ForwardProtocolError';
    this.kind = kind;
  }

  /** Same error with a location prefix ("PackedForward entry 3: ..."); built only on the failure path. */
  withContext(context: string): ForwardProtocolError {
    return new ForwardProtocolError(this.kind, `${context}: ${this.message}`);
  }
}

export function inContext(error: unknown, context: string): unknown {
  return error instanceof ForwardProtocolError ? error.withContext(context) : error;
}

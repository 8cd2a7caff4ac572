export type FindingKind =
  /** A document's contents no longer match its hash, or the chain was rewritten (caught by a link or a digest). */
  | 'edited'
  /** Sequence numbers are missing: documents were deleted. */
  | 'missing'
  /** Documents are out of their original order (seq numbers swapped or moved). */
  | 'reordered'
  /** Two documents claim the same seq. */
  | 'inserted'
  /** A digest's signature does not verify: the digest was altered or made without the key. */
  | 'forged-digest'
  /** No digest covers these seqs although later ones are covered: a digest was deleted. */
  | 'missing-digest';

export interface Finding {
  readonly kind: FindingKind;
  readonly topic: string;
  readonly partition: number;
  /** First seq concerned. */
  readonly seq: number;
  /** Last seq concerned (same as `seq` for one document). */
  readonly toSeq: number;
  /** The document or digest `_id`, when one document is concerned. */
  readonly id?: string;
  readonly offset?: number;
  readonly detail: string;
}

export function describeFinding(f: Finding): string {
  const where = f.seq === f.toSeq ? `seq ${f.seq}` : `seq ${f.seq}..${f.toSeq}`;
  return `${f.kind} at partition ${f.partition} ${where}${f.id === undefined ? '' : ` (${f.id})`}: ${f.detail}`;
}

// Walks one partition's chain in seq order and classifies every break. Pure: documents in, findings
// out, so it is tested without Elasticsearch. After a break it resynchronises on the stored hash,
// so one tampered document yields one finding, not a cascade.
import type { KeyObject } from 'node:crypto';
import { digestSignatureValid, readDigest } from '../chain/digest.ts';
import type { DigestPayload } from '../chain/digest.ts';
import { chainHash, chainOf, GENESIS } from '../chain/hash.ts';
import type { Json } from '../chain/hash.ts';
import type { Finding, FindingKind } from './findings.ts';

export interface StoredDoc {
  readonly id: string;
  readonly source: Json;
}

export interface WalkerOptions {
  readonly topic: string;
  readonly partition: number;
  /** First seq to verify (1 = from the genesis). */
  readonly fromSeq: number;
  /** Last seq to verify; `Infinity` for the end of the chain. */
  readonly toSeq: number;
  readonly publicKey: KeyObject | undefined;
  /** Stop collecting after this many findings (the walk still counts events). */
  readonly maxFindings?: number;
}

interface Link {
  readonly id: string;
  readonly seq: number;
  readonly offset: number;
  readonly prev: string;
  readonly hash: string;
  readonly valid: boolean;
}

const LOOKAHEAD = 64;
const RECENT = 4096;

export class ChainWalker {
  readonly findings: Finding[] = [];
  events = 0;
  lastSeq = 0;
  readonly #o: WalkerOptions;
  readonly #buffer: { doc: StoredDoc; link: Link | undefined }[] = [];
  readonly #recent = new Map<string, number>();
  readonly #digestsByTo = new Map<number, (DigestPayload & { signature: string; id: string })[]>();
  readonly #validDigests: (DigestPayload & { id: string })[] = [];
  #expected: number;
  #prevHash: string | undefined;
  #prevOffset = -1;
  #anchor: boolean;

  constructor(options: WalkerOptions) {
    this.#o = options;
    // Verifying from seq n > 1 starts at n - 1, whose hash anchors n; it is not itself judged.
    this.#anchor = options.fromSeq > 1;
    this.#expected = options.fromSeq > 1 ? options.fromSeq - 1 : 1;
    this.#prevHash = options.fromSeq > 1 ? undefined : GENESIS;
  }

  #add(
    kind: FindingKind,
    seq: number,
    detail: string,
    extra: { id?: string; offset?: number; toSeq?: number } = {},
  ): void {
    const toSeq = extra.toSeq ?? seq;
    const last = this.findings.at(-1);
    // Adjacent breaks of one kind are one incident (a swap breaks three links).
    if (
      last !== undefined &&
      last.kind === kind &&
      last.partition === this.#o.partition &&
      seq <= last.toSeq + 1 &&
      seq >= last.seq
    ) {
      this.findings[this.findings.length - 1] = { ...last, toSeq: Math.max(last.toSeq, toSeq) };
      return;
    }
    if (this.findings.length >= (this.#o.maxFindings ?? 1000)) return;
    this.findings.push({
      kind,
      topic: this.#o.topic,
      partition: this.#o.partition,
      seq,
      toSeq,
      detail,
      ...(extra.id === undefined ? {} : { id: extra.id }),
      ...(extra.offset === undefined ? {} : { offset: extra.offset }),
    });
  }

  /** Digests of this partition, before any event is pushed. */
  addDigest(id: string, doc: Json): void {
    const d = readDigest(doc);
    if (d === undefined) {
      this.#add('forged-digest', 0, 'digest document is malformed', { id });
      return;
    }
    if (this.#o.publicKey === undefined || !digestSignatureValid(doc, this.#o.publicKey)) {
      this.#add(
        'forged-digest',
        d.from_seq,
        this.#o.publicKey === undefined
          ? 'no public key to check the signature with'
          : 'signature does not verify',
        { id, toSeq: d.to_seq },
      );
      return;
    }
    if (d.to_seq < this.#o.fromSeq || d.from_seq > this.#o.toSeq) return;
    const list = this.#digestsByTo.get(d.to_seq) ?? [];
    list.push({ ...d, id });
    this.#digestsByTo.set(d.to_seq, list);
    this.#validDigests.push({ ...d, id });
  }

  push(doc: StoredDoc): void {
    const c = chainOf(doc.source);
    const link =
      c?.seq === undefined || c.prev === undefined || c.hash === undefined
        ? undefined
        : {
            id: doc.id,
            seq: c.seq,
            offset: c.offset,
            prev: c.prev,
            hash: c.hash,
            valid: chainHash(c.prev, doc.source) === c.hash,
          };
    this.#buffer.push({ doc, link });
    if (this.#buffer.length > LOOKAHEAD) this.#step();
  }

  #lookaheadHas(hash: string): boolean {
    for (let i = 1; i < this.#buffer.length; i++) if (this.#buffer[i]?.link?.hash === hash) return true;
    return false;
  }

  #step(): void {
    const entry = this.#buffer[0];
    if (entry === undefined) return;
    const { doc, link } = entry;
    const anchor = this.#anchor;
    this.#anchor = false;
    if (link === undefined) {
      if (!anchor) this.#add('edited', this.#expected, 'chain fields missing or damaged', { id: doc.id });
      this.#buffer.shift();
      return;
    }
    if (!anchor) this.#judge(link);
    this.#buffer.shift();
    this.#prevHash = link.hash;
    this.#prevOffset = link.offset;
    this.#expected = link.seq + 1;
    this.#recent.set(link.hash, link.seq);
    if (this.#recent.size > RECENT) this.#recent.delete(this.#recent.keys().next().value as string);
    if (!anchor) {
      this.events++;
      this.lastSeq = link.seq;
      this.#checkDigests(link);
    }
  }

  #judge(link: Link): void {
    const at = { id: link.id, offset: link.offset };
    if (link.seq < this.#expected) {
      this.#add('inserted', link.seq, `a second document claims seq ${link.seq}`, at);
      return;
    }
    if (link.seq > this.#expected) {
      this.#add('missing', this.#expected, `no document with seq ${this.#expected}..${link.seq - 1}`, {
        toSeq: link.seq - 1,
      });
      this.#prevHash = undefined;
    }
    if (!link.valid) {
      this.#add('edited', link.seq, 'contents do not match the stored hash', at);
      return;
    }
    if (this.#prevHash !== undefined && link.prev !== this.#prevHash) {
      const seenElsewhere = this.#recent.get(link.prev);
      if (this.#lookaheadHas(link.prev) || (seenElsewhere !== undefined && seenElsewhere !== link.seq - 1))
        this.#add('reordered', link.seq, 'linked to a document that is not its predecessor', at);
      else if (link.offset < this.#prevOffset)
        this.#add('reordered', link.seq, 'Kafka offset lower than its predecessor', at);
      else
        this.#add(
          'edited',
          link.seq - 1,
          'the predecessor was rewritten with a new hash (this link still names the old one)',
          {
            offset: link.offset,
          },
        );
      return;
    }
    if (this.#prevHash !== undefined && link.offset <= this.#prevOffset)
      this.#add('reordered', link.seq, 'Kafka offset not above its predecessor', at);
  }

  #checkDigests(link: Link): void {
    for (const d of this.#digestsByTo.get(link.seq) ?? []) {
      if (d.last_hash === link.hash) continue;
      if (this.#recent.has(d.last_hash) || this.#lookaheadHas(d.last_hash))
        this.#add('reordered', link.seq, `digest ${d.id} signed this seq for another document`, { id: d.id });
      else
        this.#add(
          'edited',
          link.seq,
          `chain hash differs from the one signed in digest ${d.id} (seq ${d.from_seq}..${d.to_seq})`,
          { id: d.id },
        );
    }
  }

  /** Processes what is buffered and checks what only the end can tell (tail deletions, digest gaps). */
  finish(): Finding[] {
    while (this.#buffer.length > 0) this.#step();
    const digested = this.#validDigests.reduce((m, d) => Math.max(m, d.to_seq), 0);
    const end = Math.min(digested, this.#o.toSeq);
    if (end > this.lastSeq && end >= this.#expected)
      this.#add(
        'missing',
        this.#expected,
        `digests cover up to seq ${end}, the chain ends at ${this.#expected - 1}`,
        {
          toSeq: end,
        },
      );
    const sorted = [...this.#validDigests].sort((a, b) => a.from_seq - b.from_seq);
    let covered = this.#o.fromSeq - 1;
    for (const d of sorted) {
      if (d.to_seq <= covered) continue;
      if (d.from_seq > covered + 1)
        this.#add('missing-digest', covered + 1, `no digest covers seq ${covered + 1}..${d.from_seq - 1}`, {
          toSeq: d.from_seq - 1,
        });
      covered = d.to_seq;
    }
    this.findings.sort((a, b) => a.seq - b.seq);
    return this.findings;
  }
}

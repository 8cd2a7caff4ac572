// Every error the queue raises on purpose has its own class and a stable `code`, so that receivers can map
// them to protocol responses (QueueFullError -> stop acking / HTTP 503) without matching on messages.

export class QueueError extends Error {
  override name = 'QueueError';
  readonly code: string = 'EQUEUE';
}

/** The append would take the queue past `maxBytes`. Nothing was written; retry after a `'drain'` event. */
export class QueueFullError extends QueueError {
  override name = 'QueueFullError';
  override readonly code = 'EQUEUEFULL';
  readonly requestedBytes: number;
  readonly bytesOnDisk: number;
  readonly maxBytes: number;

  constructor(requestedBytes: number, bytesOnDisk: number, maxBytes: number) {
    super(
      `queue full: appending ${requestedBytes} bytes would exceed maxBytes ${maxBytes} ` +
        `(${bytesOnDisk} bytes on disk); wait for consumers to commit`,
    );
    this.requestedBytes = requestedBytes;
    this.bytesOnDisk = bytesOnDisk;
    this.maxBytes = maxBytes;
  }
}

/** A single payload is larger than `maxRecordBytes`. Retrying cannot help; the caller must split it. */
export class RecordTooLargeError extends QueueError {
  override name = 'RecordTooLargeError';
  override readonly code = 'ERECORDTOOLARGE';
  readonly size: number;
  readonly maxRecordBytes: number;

  constructor(size: number, maxRecordBytes: number) {
    super(`record of ${size} bytes exceeds maxRecordBytes ${maxRecordBytes}`);
    this.size = size;
    this.maxRecordBytes = maxRecordBytes;
  }
}

/** A record on disk failed validation somewhere other than the torn tail of the last segment. */
export class CorruptRecordError extends QueueError {
  override name = 'CorruptRecordError';
  override readonly code = 'ECORRUPTRECORD';
  readonly file: string;
  readonly offset: number;
  readonly reason: string;

  constructor(file: string, offset: number, reason: string, hint?: string) {
    super(
      `corrupt record in ${file} at byte offset ${offset}: ${reason}${hint === undefined ? '' : `; ${hint}`}`,
    );
    this.file = file;
    this.offset = offset;
    this.reason = reason;
  }
}

/** Another live process (or another DiskQueue in this process) holds the directory's lock file. */
export class QueueLockedError extends QueueError {
  override name = 'QueueLockedError';
  override readonly code = 'EQUEUELOCKED';
  readonly lockFile: string;
  readonly pid: number;

  constructor(lockFile: string, pid: number, detail: string) {
    super(`queue directory is locked: ${lockFile} is held by pid ${pid} (${detail})`);
    this.lockFile = lockFile;
    this.pid = pid;
  }
}

/** A cursor file is unreadable and the queue was opened with `onCorruptCursor: 'error'`. */
export class CursorFileError extends QueueError {
  override name = 'CursorFileError';
  override readonly code = 'ECURSORFILE';
  readonly file: string;

  constructor(file: string, reason: string) {
    super(`cursor file ${file} is unusable: ${reason}`);
    this.file = file;
  }
}

export class QueueClosedError extends QueueError {
  override name = 'QueueClosedError';
  override readonly code = 'EQUEUECLOSED';

  constructor() {
    super('queue is closed');
  }
}

/**
 * A write or fsync failed. After a failed fsync the kernel may have dropped the dirty pages, so nothing
 * written since the last good fsync can be trusted: the queue refuses further appends until it is reopened,
 * which re-validates the tail on disk.
 */
export class QueueFailedError extends QueueError {
  override name = 'QueueFailedError';
  override readonly code = 'EQUEUEFAILED';

  constructor(cause: unknown) {
    super(
      `queue failed on a disk write and must be reopened: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
  }
}

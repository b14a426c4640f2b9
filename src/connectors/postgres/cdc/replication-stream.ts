import type pg from 'pg';
import { encodeStandbyStatus, parseReplicationFrame, type ReplicationFrame, type StandbyStatus } from './frames.js';

// The parts of pg's Connection a CopyBoth stream needs; present at run time, absent from @types/pg.
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  stream: { pause(): void; resume(): void };
}

/** Frames buffered before the socket is paused, so a fast server cannot fill our memory. */
const HIGH_WATER = 2_000;
const LOW_WATER = 500;

/**
 * `START_REPLICATION ... LOGICAL` on a `pg` client opened with `replication: 'database'`, as a
 * pull-based queue of frames. It is a pg "submittable": pg hands it the CopyData messages of
 * the CopyBoth exchange, and it writes standby status updates back on the same connection.
 *
 * @example
 * const stream = client.query(new ReplicationStream(sql));
 * await stream.started;
 * const frame = await stream.next(100);
 */
export class ReplicationStream {
  /** Resolves once the server answered with CopyBoth (or rejects with the server's refusal). */
  readonly started: Promise<void>;
  private connection?: CopyConnection;
  private readonly frames: ReplicationFrame[] = [];
  private waiter?: () => void;
  private failure?: Error;
  private finished = false;
  private paused = false;
  private stopping?: Promise<void>;
  private resolveStarted!: () => void;
  private rejectStarted!: (err: Error) => void;
  private resolveFinished?: () => void;
  // pg reads `callback` of a submittable; unused but must exist as a property.
  callback?: unknown;

  constructor(private readonly sql: string) {
    this.started = new Promise((resolve, reject) => {
      this.resolveStarted = resolve;
      this.rejectStarted = reject;
    });
    this.started.catch(() => undefined); // observed by whoever awaits it
  }

  /** Called by pg when the connection is free. */
  submit(connection: pg.Connection): void {
    const conn = connection as unknown as CopyConnection & { once(event: string, fn: () => void): void };
    this.connection = conn;
    conn.once('replicationStart', () => this.resolveStarted());
    conn.query(this.sql);
  }

  handleCopyData(msg: { chunk: Buffer }): void {
    if (this.stopping) return; // the server may still flush frames after our CopyDone
    let frame: ReplicationFrame;
    try {
      // pg hands us a view into its read buffer, which it compacts and refills in place as more
      // bytes arrive; a frame queued while the reader is busy must own its bytes or it gets
      // overwritten by later messages.
      frame = parseReplicationFrame(Buffer.from(msg.chunk));
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    this.resolveStarted(); // a frame proves streaming started even if the W message was missed
    this.frames.push(frame);
    if (!this.paused && this.frames.length >= HIGH_WATER && this.connection) {
      this.paused = true;
      this.connection.stream.pause();
    }
    this.wake();
  }

  handleError(err: Error): void {
    this.rejectStarted(err);
    this.fail(err);
  }

  handleReadyForQuery(): void {
    this.finished = true;
    this.resolveFinished?.();
    this.wake();
  }

  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}

  private fail(err: Error): void {
    this.failure ??= err;
    this.finished = true;
    this.resolveFinished?.();
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  /**
   * The next frame, or `undefined` when none arrived within `timeoutMs`. Throws the server's
   * error if the stream failed.
   */
  async next(timeoutMs: number): Promise<ReplicationFrame | undefined> {
    if (this.frames.length === 0 && !this.failure && !this.finished && timeoutMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.waiter = undefined;
          resolve();
        }, timeoutMs);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.take();
  }

  /** A frame already received, without waiting; throws the server's error if the stream failed. */
  take(): ReplicationFrame | undefined {
    const frame = this.frames.shift();
    if (this.paused && this.frames.length <= LOW_WATER && this.connection) {
      this.paused = false;
      this.connection.stream.resume();
    }
    if (frame) return frame;
    if (this.failure) throw this.failure;
    return undefined;
  }

  /** Sends a standby status update (the LSN confirmation). */
  sendStatus(status: StandbyStatus): void {
    if (!this.connection || this.finished || this.stopping) return;
    this.connection.sendCopyFromChunk(encodeStandbyStatus(status));
  }

  /**
   * Ends streaming: CopyDone, then waits (bounded) for the server to finish the command so the
   * connection can be closed cleanly with every status update already read by the server.
   */
  stop(timeoutMs = 2_000): Promise<void> {
    this.stopping ??= (async () => {
      if (this.finished || !this.connection) return;
      if (this.paused) this.connection.stream.resume();
      this.frames.length = 0;
      const done = new Promise<void>((resolve) => {
        this.resolveFinished = resolve;
      });
      this.connection.endCopyFrom();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    })();
    return this.stopping;
  }
}

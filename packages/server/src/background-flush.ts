/**
 * Writes the database file's changed pages to the disk in the background, a little at a time,
 * so that the flushes SQLite itself must wait for stay short.
 *
 * SQLite copies the write-ahead log into the database file (a checkpoint) with plain writes: the
 * pages sit in the kernel's page cache until something flushes them. A checkpoint that copies the
 * whole log ends with an `fsync` of the database file, which writes everything dirty since the
 * last one; when the log starts over (about every 11 s at 3,500 decisions a second), that fsync
 * runs in the server's scoring thread, and decisions wait for it. Flushing while the worker works
 * leaves that fsync little to write (docs/decisions/018-background-flush-of-the-database-file.md);
 * PostgreSQL does the same for its checkpoints (`checkpoint_flush_after`).
 *
 * It only writes earlier what the kernel would write anyway: what is durable, and when, is still
 * decided by SQLite's own syncs (`synchronous = NORMAL`), with or without it.
 */
import { close as closeFile, fdatasync, openSync } from "node:fs";

/** While the worker has work, the database file is flushed this often. */
export const FLUSH_EVERY_MS = 100;

type Sync = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;

export interface BackgroundFlushOptions {
  everyMs?: number;
  /** How a descriptor is flushed (tests replace it); `fs.fdatasync` on libuv's pool by default. */
  sync?: Sync;
  log?: (line: string) => void;
}

export class BackgroundFlush {
  private fd: number | undefined;
  private running: Promise<void> | undefined;
  private lastStartedAt = -Infinity;
  private failing = false;
  private closed = false;
  private readonly everyMs: number;
  private readonly sync: Sync;
  private readonly log: (line: string) => void;
  /** Flushes started and finished, and how many of them failed. */
  readonly stats = { flushes: 0, failures: 0 };

  constructor(
    private readonly file: string,
    options: BackgroundFlushOptions = {},
  ) {
    this.everyMs = options.everyMs ?? FLUSH_EVERY_MS;
    this.sync = options.sync ?? fdatasync;
    this.log = options.log ?? ((line) => console.error(line));
  }

  /**
   * Called after each step that did work: starts a flush unless one is running or the last one
   * started less than `everyMs` ago. Never throws and never waits: a flush that fails is logged
   * (once, until one succeeds again), and the next one is tried as usual. `now` is monotonic
   * (performance.now()): a wall clock set back would stop the flushes until it caught up.
   */
  afterWork(now = performance.now()): void {
    if (this.closed || this.running || now - this.lastStartedAt < this.everyMs) return;
    this.lastStartedAt = now;
    let fd: number;
    try {
      fd = this.fd ??= openSync(this.file, "r");
    } catch (error) {
      this.failed(error as NodeJS.ErrnoException);
      return;
    }
    this.running = new Promise<void>((resolve) => {
      this.sync(fd, (error) => {
        this.stats.flushes += 1;
        if (error) this.failed(error);
        else this.failing = false;
        this.running = undefined;
        resolve();
      });
    });
  }

  /**
   * Waits for a flush under way and closes the file. Only once SQLite's connection to the same
   * file is closed: on Linux, closing any descriptor of a file drops every POSIX lock the process
   * holds on it, SQLite's included.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) await new Promise<void>((resolve) => closeFile(fd, () => resolve()));
  }

  private failed(error: NodeJS.ErrnoException): void {
    this.stats.failures += 1;
    if (this.failing) return;
    this.failing = true;
    this.log(`could not flush the database file to disk in the background (${error.code ?? error.message}); SQLite's own flushes still decide what is durable`);
  }
}

import { createHash } from "node:crypto";
import {
  chmodSync,
  closeSync,
  createReadStream,
  createWriteStream,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  statfsSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";

/** What a file of a backup is known by: its size and its SHA-256, in hex. */
export interface Digest {
  bytes: number;
  sha256: string;
}

/** The size and SHA-256 of a file, read once. */
export async function digestFile(path: string): Promise<Digest> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest("hex") };
}

/**
 * Copies `from` to the new file `to` (which must not exist) with the permission bits `mode`,
 * hashing what it reads on the way, and syncs the copy: one read of the source gives both the copy
 * and the checksum the manifest records (or the restore compares).
 */
export async function copyWithDigest(from: string, to: string, mode: number): Promise<Digest> {
  mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
  const hash = createHash("sha256");
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(createReadStream(from), tap, createWriteStream(to, { flags: "wx", mode }));
  // The mode given at creation is narrowed by the umask: the file gets exactly the one it had.
  chmodSync(to, mode);
  syncPath(to);
  return { bytes, sha256: hash.digest("hex") };
}

/** Flushes a file or a directory (its entries) to the disk. */
export function syncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Syncs every directory under `root` and `root` itself, so that the names of the files written there are on the disk before a rename. */
export function syncTree(root: string): void {
  for (const entry of readdirSync(root, { withFileTypes: true })) if (entry.isDirectory()) syncTree(join(root, entry.name));
  syncPath(root);
}

const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");

/** Whether a regular file starts with SQLite's header: a database, whatever its name. */
export function isSqliteFile(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER);
  } finally {
    closeSync(fd);
  }
}

/** Whether `path` is missing or an empty directory; anything else (a file, a directory with entries) is not. */
export function isMissingOrEmptyDir(path: string): boolean {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw e;
  }
  return stat.isDirectory() && readdirSync(path).length === 0;
}

/** Bytes free for this user on the disk holding `path`. */
export function freeBytes(path: string): number {
  const fs = statfsSync(path);
  return fs.bavail * fs.bsize;
}

/** Below this size a copy says only when it is done: it takes well under a second. */
const PROGRESS_FROM_BYTES = 16 * 1024 * 1024;

/**
 * A progress reporter for copying `total` bytes: `say(percent)` at each further tenth done, for
 * copies large enough to take a while, never at the end (the caller reports the end itself).
 */
export function progress(total: number, say: (percent: number) => void): (done: number) => void {
  let next = 0.1;
  return (done) => {
    if (total < PROGRESS_FROM_BYTES || done >= total || done / total < next) return;
    say(Math.floor((done / total) * 100));
    next = Math.floor((done / total) * 10) / 10 + 0.1;
  };
}

/** A size for people: 1.2 GB, 340 MB, 12 kB. */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

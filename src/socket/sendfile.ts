/** The file side of sendfile(): which descriptor to read, and positional reads from it. */
import { read as fsRead } from 'node:fs';
import { fromNodeError } from './errors.js';
import { checkInt, pyTypeName } from './address.js';

/** A file given to sendfile(): a descriptor, a `fs.promises.FileHandle`, or anything with fileno(). */
export type SendfileSource = number | { fd: number } | { fileno(): number; seek?(pos: number): unknown; mode?: string };

export function sendfileFd(file: SendfileSource): number {
  if (typeof file === 'number') return checkInt(file);
  if (typeof (file as { fileno?: unknown }).fileno === 'function') return checkInt((file as { fileno(): number }).fileno());
  if (typeof (file as { fd?: unknown }).fd === 'number') return (file as { fd: number }).fd;
  throw new TypeError(`sendfile() needs a file descriptor, FileHandle or object with fileno(), not ${pyTypeName(file)}`);
}

export function readAt(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fsRead(fd, buf, 0, length, position, (err, n) => (err ? reject(fromNodeError(err)) : resolve(n)));
  });
}


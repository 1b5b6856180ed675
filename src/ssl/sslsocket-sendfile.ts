/**
 * SSLSocket.sendfile() while TLS is active: Python's
 * `socket._sendfile_use_send` — the kernel's sendfile cannot encrypt, so the
 * file is read in 8192-byte blocks and each block goes out with send().
 */
import { ValueError } from '../socket/errors.js';
import { type SendfileSource, readAt, sendfileFd } from '../socket/sendfile.js';

/** Python's block size for the send()-based fallback (`_sendfile_use_send`). */
export const SENDFILE_BLOCK_SIZE = 8192;

interface Sender {
  gettimeout(): number | null;
  send(data: Uint8Array): Promise<number>;
}

/** Python's `_check_sendfile_params` (the socket type is always SOCK_STREAM here). */
function checkParams(file: SendfileSource, count: number | null): void {
  const mode = (file as { mode?: unknown }).mode;
  if (typeof mode === 'string' && !mode.includes('b')) throw new ValueError('file should be opened in binary mode');
  if (count !== null) {
    if (typeof count !== 'number' || !Number.isInteger(count)) throw new TypeError(`count must be a positive integer (got ${String(count)})`);
    if (count <= 0) throw new ValueError(`count must be a positive integer (got ${count})`);
  }
}

export async function sendfileUseSend(sock: Sender, file: SendfileSource, offset: number, count: number | null): Promise<number> {
  checkParams(file, count);
  if (sock.gettimeout() === 0) throw new ValueError('non-blocking sockets are not supported');
  if (!Number.isInteger(offset) || offset < 0) throw new ValueError(`offset must be a non-negative integer (got ${offset})`);
  const fd = sendfileFd(file);
  let blocksize = count ? Math.min(count, SENDFILE_BLOCK_SIZE) : SENDFILE_BLOCK_SIZE;
  let total = 0;
  // One block, reused: send() has finished with it (encrypted it) before the next read.
  const block = Buffer.allocUnsafe(blocksize);
  try {
    for (;;) {
      if (count) {
        blocksize = Math.min(count - total, blocksize);
        if (blocksize <= 0) break;
      }
      const got = await readAt(fd, block, blocksize, offset + total);
      if (got === 0) break;
      let data = block.subarray(0, got);
      while (data.length > 0) {
        const sent = await sock.send(data);
        total += sent;
        data = data.subarray(sent);
      }
    }
    return total;
  } finally {
    const seek = (file as { seek?: (pos: number) => unknown }).seek;
    if (total > 0 && typeof seek === 'function') seek.call(file, offset + total);
  }
}

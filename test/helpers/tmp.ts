/**
 * A temporary directory that lives as long as the test process: removed on
 * exit, so fixtures shared by many tests in one file (certificates, peer
 * logs) do not pile up in /tmp run after run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function processTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

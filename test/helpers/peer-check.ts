/**
 * Whether an interop peer (a command on the PATH) can be run. Locally a
 * missing peer makes its tests skip by name; when `CI` is set it fails the
 * run instead, because `.ci/run` installs every peer and a skipped interop
 * cell there would hide a broken install.
 */
import { spawnSync } from 'node:child_process';

export function havePeer(cmd: string, args: string[] = ['version']): boolean {
  let ok: boolean;
  try {
    const r = spawnSync(cmd, args, { stdio: 'ignore' });
    ok = r.error === undefined && r.status === 0;
  } catch {
    ok = false;
  }
  if (!ok && process.env['CI']) {
    throw new Error(`${cmd} (${[cmd, ...args].join(' ')}) is required when CI is set: .ci/run installs it`);
  }
  return ok;
}

/**
 * Helpers to run the real peers in tests: the `openssl` command line tool and
 * python3 (whose ctypes can call the system libcrypto directly, which gives
 * us OpenSSL's own X509_check_host / a2i_IPADDRESS as oracles).
 * A missing peer is reported as a named skip reason, never silently.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

import { havePeer as which } from './peer-check.js';

let opensslOk: boolean | undefined;
let pythonOk: boolean | undefined;
let libcryptoOk: boolean | undefined;

/** Null when `openssl` can be run, else the reason to skip. */
export function opensslSkipReason(): string | null {
  opensslOk ??= which('openssl', ['version']);
  return opensslOk ? null : 'openssl command not found: skipping tests that compare with the openssl CLI';
}

/** Null when `python3` can be run, else the reason to skip. */
export function pythonSkipReason(): string | null {
  pythonOk ??= which('python3', ['-c', 'import ssl']);
  return pythonOk ? null : 'python3 (with ssl) not found: skipping tests that compare with Python';
}

/** Null when python3's ctypes can load libcrypto 3, else the reason to skip. */
export function libcryptoSkipReason(): string | null {
  const py = pythonSkipReason();
  if (py !== null) return py;
  libcryptoOk ??= spawnSync('python3', ['-c', LIBCRYPTO_PRELUDE], { encoding: 'utf8' }).status === 0;
  return libcryptoOk ? null : 'libcrypto.so.3 not loadable from python3 ctypes: skipping OpenSSL-oracle tests';
}

export function runOpenssl(args: readonly string[], options: { cwd?: string; input?: string | Uint8Array } = {}): RunResult {
  const r = spawnSync('openssl', args, { cwd: options.cwd, input: options.input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error !== undefined) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs openssl and throws with its stderr when it fails. */
export function openssl(args: readonly string[], options: { cwd?: string; input?: string | Uint8Array } = {}): string {
  const r = runOpenssl(args, options);
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export function runPython(script: string, input?: string): RunResult {
  const r = spawnSync('python3', ['-c', script], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error !== undefined) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a python3 script that prints one JSON document; throws with stderr on failure. */
export function pythonJson<T>(script: string, input?: unknown): T {
  const r = runPython(script, input === undefined ? undefined : JSON.stringify(input));
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export const LIBCRYPTO_PRELUDE = `
import ctypes, json, sys
lib = ctypes.CDLL('libcrypto.so.3')
lib.X509_verify_cert_error_string.restype = ctypes.c_char_p
lib.X509_verify_cert_error_string.argtypes = [ctypes.c_long]
lib.d2i_X509.restype = ctypes.c_void_p
lib.d2i_X509.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_long]
lib.X509_free.argtypes = [ctypes.c_void_p]
lib.X509_check_host.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_void_p]
lib.X509_check_ip_asc.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint]
lib.a2i_IPADDRESS.restype = ctypes.c_void_p
lib.a2i_IPADDRESS.argtypes = [ctypes.c_char_p]
lib.ASN1_STRING_length.argtypes = [ctypes.c_void_p]
lib.ASN1_STRING_get0_data.restype = ctypes.POINTER(ctypes.c_ubyte)
lib.ASN1_STRING_get0_data.argtypes = [ctypes.c_void_p]
lib.ASN1_OCTET_STRING_free.argtypes = [ctypes.c_void_p]
def load_der(der):
    buf = ctypes.c_char_p(der)
    x = lib.d2i_X509(None, ctypes.byref(buf), len(der))
    if not x: raise ValueError('d2i_X509 failed')
    return x
def a2i(text):
    s = lib.a2i_IPADDRESS(text.encode('utf-8'))
    if not s: return None
    n = lib.ASN1_STRING_length(s)
    data = bytes(lib.ASN1_STRING_get0_data(s)[:n])
    lib.ASN1_OCTET_STRING_free(s)
    return data.hex()
`;

/** A fresh temporary directory and its remover. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

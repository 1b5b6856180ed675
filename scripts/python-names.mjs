// The Python name of a public sslsock symbol, shared by the typedoc plugin
// (scripts/typedoc-python-names.mjs) and the test that every public symbol's
// doc comment names it (test/docs/python-names.test.ts). The README's naming
// rule: camelCase → snake_case; names starting with a capital, and
// constants, stay. A name is only claimed when the python3 on this machine
// has it (dir() of the module and its classes).
import { spawnSync } from 'node:child_process';

/** Our entry point (typedoc's module name) → Python's module. */
export const MODULES = { ssl: 'ssl', socket: 'socket', select: 'select', 'select/selectors': 'selectors' };
/** Instance attributes, which dir() of a class does not list. */
export const INSTANCE_ATTRIBUTES = {
  SSLError: ['library', 'reason', 'errno', 'strerror'],
  SSLCertVerificationError: ['verify_code', 'verify_message', 'library', 'reason', 'errno', 'strerror'],
  OSError: ['errno', 'strerror', 'filename', 'filename2'],
  SSLSocket: ['server_side', 'server_hostname', 'do_handshake_on_connect', 'suppress_ragged_eofs'],
  SSLObject: ['server_side', 'server_hostname'],
  SelectorKey: ['fileobj', 'fd', 'events', 'data'],
};
/** Names that the rule alone cannot derive. */
const SPECIAL = { DERCertToPEMCert: 'DER_cert_to_PEM_cert', PEMCertToDERCert: 'PEM_cert_to_DER_cert', socket_error: 'socket_error' };

/** dir() of Python's builtins, ssl, socket, select and selectors (and of their classes), or null without python3. */
export function pythonNames() {
  const code = `
import json, inspect, sys, builtins, ssl, socket, select, selectors
out = {}
for m in (builtins, ssl, socket, select, selectors):
    d = {}
    for n in dir(m):
        v = getattr(m, n)
        d[n] = sorted(dir(v)) if inspect.isclass(v) else []
    out[m.__name__] = d
out['version'] = '%d.%d' % sys.version_info[:2]
print(json.dumps(out))`;
  const r = spawnSync('python3', ['-c', code], { encoding: 'utf8' });
  return r.status === 0 ? JSON.parse(r.stdout) : null;
}

/** The naming rule, backwards: our name → Python's. */
export function snake(name) {
  if (SPECIAL[name]) return SPECIAL[name];
  if (/^_*[A-Z]/.test(name) || (name.includes('_') && name === name.toUpperCase())) return name;
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * Python's name for `chain` (our names: [symbol] or [class, member]) in
 * Python's module `pyModule`: `{ home, parts, found }`, where `home` is the
 * module that has it (`builtins` for Python's built-in exceptions, which ssl
 * and socket re-export) and `found` says whether python3 (`py`, from
 * pythonNames()) has it.
 */
export function pythonName(py, pyModule, chain) {
  const parts = chain.map(snake);
  const home = py[pyModule]?.[parts[0]] !== undefined ? pyModule : py.builtins?.[parts[0]] !== undefined ? 'builtins' : pyModule;
  const top = py[home]?.[parts[0]];
  const isError = /Error$/.test(parts[0]);
  const attrs = [...(top ?? []), ...(INSTANCE_ATTRIBUTES[parts[0]] ?? []), ...(isError ? INSTANCE_ATTRIBUTES.SSLError.concat(INSTANCE_ATTRIBUTES.OSError) : [])];
  const found = top !== undefined && (parts.length === 1 || attrs.includes(parts[1]));
  return { home, parts, found, qualified: `${home === 'builtins' ? '' : `${home}.`}${parts.join('.')}` };
}

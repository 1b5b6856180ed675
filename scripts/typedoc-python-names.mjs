// typedoc plugin: puts each public symbol's Python name beside ours in the API
// reference ("Python: `ssl.SSLContext.load_cert_chain`"), or says that it has
// none ("sslsock only"). The Python name comes from the README's naming rule
// (camelCase → snake_case; names starting with a capital, and constants, stay),
// and is only claimed when the python3 on this machine has it (dir() of the
// module and its classes), so the reference never names a Python API that
// does not exist. Without python3 the rule alone is shown, marked as such.
import { spawnSync } from 'node:child_process';
import { Comment, Converter, ReflectionKind } from 'typedoc';

/** Our module (typedoc's name for the entry point) → Python's module. */
const MODULES = { ssl: 'ssl', socket: 'socket', select: 'select', 'select/selectors': 'selectors' };
/** Instance attributes, which dir() of a class does not list. */
const INSTANCE_ATTRIBUTES = {
  SSLError: ['library', 'reason', 'errno', 'strerror'],
  SSLCertVerificationError: ['verify_code', 'verify_message', 'library', 'reason', 'errno', 'strerror'],
  OSError: ['errno', 'strerror', 'filename', 'filename2'],
};
/** Names that the rule alone cannot derive. */
const SPECIAL = { DERCertToPEMCert: 'DER_cert_to_PEM_cert', PEMCertToDERCert: 'PEM_cert_to_DER_cert', socket_error: 'socket_error' };

function pythonNames() {
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

function snake(name) {
  if (SPECIAL[name]) return SPECIAL[name];
  if (/^[A-Z]/.test(name) || name.includes('_') && name === name.toUpperCase()) return name;
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const KINDS = ReflectionKind.Class | ReflectionKind.Function | ReflectionKind.Variable | ReflectionKind.Method |
  ReflectionKind.Property | ReflectionKind.Accessor | ReflectionKind.Enum | ReflectionKind.EnumMember;

export function load(app) {
  const py = pythonNames();
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    for (const refl of Object.values(context.project.reflections)) {
      if (!refl.kindOf(KINDS) || refl.name.startsWith('[')) continue;
      // The chain up to the module: module, [class/enum], symbol.
      const chain = [];
      let r = refl;
      while (r && !r.kindOf(ReflectionKind.Module | ReflectionKind.Project)) {
        chain.unshift(r);
        r = r.parent;
      }
      const pyModule = r && MODULES[r.name];
      // Interfaces and type aliases are TypeScript's shapes of keyword arguments and dicts: their own comments say so.
      if (!pyModule || chain.length > 2 || (chain.length === 2 && !chain[0].kindOf(ReflectionKind.Class | ReflectionKind.Enum))) continue;
      const parts = chain.map((c) => snake(c.name));
      let text;
      if (py === null) {
        text = `Python (by the naming rule): \`${pyModule}.${parts.join('.')}\``;
      } else {
        // Python's built-in exceptions (OSError, TimeoutError, …) live in builtins, re-exported here as ssl and socket do.
        const home = py[pyModule]?.[parts[0]] !== undefined ? pyModule : py.builtins?.[parts[0]] !== undefined ? 'builtins' : pyModule;
        const top = py[home]?.[parts[0]];
        const isError = /Error$/.test(parts[0]);
        const attrs = [...(top ?? []), ...(INSTANCE_ATTRIBUTES[parts[0]] ?? []), ...(isError ? INSTANCE_ATTRIBUTES.SSLError.concat(INSTANCE_ATTRIBUTES.OSError) : [])];
        const found = top !== undefined && (parts.length === 1 || attrs.includes(parts[1]));
        text = found
          ? `Python: \`${home === 'builtins' ? '' : `${home}.`}${parts.join('.')}\``
          : `sslsock only: Python ${py.version}'s \`${pyModule}\` has no \`${parts.join('.')}\` (an addition, or a later Python's name; see the README).`;
      }
      if (process.env.TYPEDOC_PY_DEBUG) console.log(`${r.name}.${chain.map((c) => c.name).join('.')} -> ${text}`);
      // The rendered comment of a method/function is its first signature's; of an accessor, its getter's.
      const target = refl.signatures?.[0] ?? refl.getSignature ?? refl.setSignature ?? refl;
      target.comment ??= new Comment([]);
      target.comment.summary.push({ kind: 'text', text: `${target.comment.summary.length ? '\n\n' : ''}${text}` });
    }
  });
}

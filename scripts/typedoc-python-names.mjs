// typedoc plugin: puts each public symbol's Python name beside ours in the API
// reference ("Python: `ssl.SSLContext.load_cert_chain`"), or says that it has
// none ("sslsock only"). The Python name comes from the README's naming rule
// (scripts/python-names.mjs), and is only claimed when the python3 on this
// machine has it, so the reference never names a Python API that does not
// exist. Without python3 the rule alone is shown, marked as such.
import { Comment, Converter, ReflectionKind } from 'typedoc';
import { MODULES, pythonName, pythonNames, snake } from './python-names.mjs';

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
        const { found, qualified } = pythonName(py, pyModule, chain.map((c) => c.name));
        text = found
          ? `Python: \`${qualified}\``
          : `sslsock only: Python ${py.version}'s \`${pyModule}\` has no \`${parts.join('.')}\` (an addition, or a later Python's name; see the README).`;
      }
      if (process.env.TYPEDOC_PY_DEBUG) console.log(`${r.name}.${chain.map((c) => c.name).join('.')} -> ${text}`);
      // The rendered comment of a method/function is its first signature's; of an accessor, its getter's.
      const target = refl.signatures?.[0] ?? refl.getSignature ?? refl.setSignature ?? refl;
      target.comment ??= new Comment([]);
      // The doc comment names it already (test/docs/python-names.test.ts sees to that): once is enough.
      const written = target.comment.summary.map((part) => part.text).join('');
      if (py !== null && written.includes(pythonName(py, pyModule, chain.map((c) => c.name)).qualified)) continue;
      target.comment.summary.push({ kind: 'text', text: `${target.comment.summary.length ? '\n\n' : ''}${text}` });
    }
  });
}

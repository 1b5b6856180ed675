/**
 * Every public symbol of the `sslsock`, `sslsock/socket`, `sslsock/select`
 * and `sslsock/selectors` entry points has its Python name beside ours: each
 * export, and each public member of an exported class. The Python name is
 * the README's naming rule applied backwards (scripts/python-names.mjs,
 * shared with the typedoc plugin). Where it differs from ours (wrapSocket →
 * wrap_socket) the doc comment must name it, and the python3 on this machine
 * must have it; where it is ours unchanged (SSLContext, recv, AF_INET) and
 * Python has it, the name itself says it. A symbol Python does not have
 * says so ("beyond Python", "sslsock only") or names its Python counterpart
 * ("Python's `…`"); a member of a class that is beyond Python is too. The
 * keyword-argument objects of wrapSocket(), wrapBio() and
 * createDefaultContext() name Python's keyword for each property.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { REPO } from '../helpers/readme.js';
import { havePeer } from '../helpers/peer-check.js';

type PythonDirs = Record<string, unknown>;
interface Names {
  MODULES: Record<string, string>;
  pythonNames(): PythonDirs | null;
  snake(name: string): string;
  pythonName(py: PythonDirs, pyModule: string, chain: string[]): { found: boolean; parts: string[]; qualified: string };
}

const names = (await import(pathToFileURL(join(REPO, 'scripts', 'python-names.mjs')).href)) as Names;

/** Python module → our entry point. */
const ENTRIES: Record<string, string> = {
  // socket first: ssl re-exports socket's symbols (as Python's ssl does), checked once, as socket's.
  socket: 'src/socket/index.ts',
  select: 'src/select/index.ts',
  selectors: 'src/select/selectors.ts',
  ssl: 'src/ssl/index.ts',
};
/** The option objects whose every property names Python's keyword argument. */
const KEYWORD_OBJECTS = ['WrapSocketOptions', 'WrapBioOptions', 'DefaultContextOptions'];
/** Says the symbol has no Python name. */
const BEYOND = /beyond python|sslsock only|python has no|not in python|no python (?:equivalent|counterpart)/i;
/** Names its Python counterpart explicitly. */
const NAMES_PYTHON = /python(?: \d+\.\d+)?(?:'s)?:?\s+`[^`]+`/i;
/** JavaScript's own protocol methods, which have no Python name to give. */
const JS_PROTOCOL = new Set(['constructor', 'toString', 'toJSON', 'valueOf', 'then']);

const word = (name: string): RegExp => new RegExp(`(^|[^A-Za-z0-9_])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_])`);

function docOf(decls: readonly ts.Declaration[] | undefined): string {
  const out: string[] = [];
  for (const decl of decls ?? []) {
    // `export const { A, B } = …`: the doc comment of the statement.
    let d: ts.Node = decl;
    while (ts.isBindingElement(d) || ts.isObjectBindingPattern(d) || ts.isArrayBindingPattern(d)) d = d.parent;
    for (const c of ts.getJSDocCommentsAndTags(d)) {
      const text = c.getText();
      if (!out.includes(text)) out.push(text);
    }
  }
  return out.join('\n');
}

function isPublicMember(d: ts.Declaration): boolean {
  const flags = ts.getCombinedModifierFlags(d);
  return (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) === 0;
}

function onlyTypes(sym: ts.Symbol): boolean {
  return (sym.declarations ?? []).every((d) => ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d));
}

interface Problem {
  where: string;
  want: string;
}

function check(): { problems: Problem[]; checked: number } {
  const py = names.pythonNames();
  assert.ok(py !== null, 'python3 answers');
  const pyVersion = String(py['version']);
  const files = Object.values(ENTRIES).map((f) => join(REPO, f));
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const problems: Problem[] = [];
  const seen = new Set<ts.Symbol>();
  const keywordObjects = new Set<string>();
  let checked = 0;

  const need = (pyModule: string, chain: string[], decls: readonly ts.Declaration[] | undefined, classDoc = ''): void => {
    checked++;
    const doc = docOf(decls);
    const where = `${pyModule}: ${chain.join('.')} (${decls?.[0]?.getSourceFile().fileName.slice(REPO.length + 1) ?? '?'})`;
    const { found, parts, qualified } = names.pythonName(py, pyModule, chain);
    const pyName = parts[parts.length - 1]!;
    // Python's name unchanged (SSLContext, recv, AF_INET): our name says it.
    if (found && pyName === chain[chain.length - 1]) return;
    if (word(pyName).test(doc)) return;
    if (found) problems.push({ where, want: `\`${qualified}\`` });
    else if (!BEYOND.test(doc) && !NAMES_PYTHON.test(doc) && !BEYOND.test(classDoc)) {
      problems.push({ where, want: `Python's name (the rule gives \`${qualified}\`, which Python ${pyVersion} lacks), or "beyond Python"` });
    }
  };

  for (const [pyModule, entry] of Object.entries(ENTRIES)) {
    const sf = program.getSourceFile(join(REPO, entry));
    assert.ok(sf, entry);
    const mod = checker.getSymbolAtLocation(sf)!;
    const exports = checker.getExportsOfModule(mod);
    const resolved = exports.map((e) => [e.name, e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e] as const);
    const ownNames = new Set(resolved.map(([name, sym]) => (name === sym.name ? sym : null)));
    for (const [exported, sym] of resolved) {
      // A second name for a symbol also exported under its own (Socket for socket, inetPton for inet_pton).
      if (exported !== sym.name && ownNames.has(sym)) continue;
      if (seen.has(sym)) continue;
      seen.add(sym);
      if (onlyTypes(sym)) {
        if (KEYWORD_OBJECTS.includes(exported)) {
          keywordObjects.add(exported);
          for (const prop of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(sym))) {
            const doc = docOf(prop.declarations);
            checked++;
            if (!word(names.snake(prop.name)).test(doc)) problems.push({ where: `${pyModule}: ${exported}.${prop.name}`, want: `Python's keyword \`${names.snake(prop.name)}\`` });
          }
        }
        continue;
      }
      need(pyModule, [exported], sym.declarations);
      if (!(sym.flags & ts.SymbolFlags.Class)) continue;
      const classDoc = docOf(sym.declarations);
      const members = [...(sym.members?.values() ?? []), ...(sym.exports?.values() ?? [])];
      for (const m of members) {
        if (m.name.startsWith('_') || m.name.startsWith('#') || m.name.startsWith('__@') || JS_PROTOCOL.has(m.name)) continue;
        if (m.flags & (ts.SymbolFlags.Prototype | ts.SymbolFlags.TypeParameter)) continue;
        const decls = m.declarations?.filter(isPublicMember);
        if (!decls || decls.length === 0) continue;
        need(pyModule, [exported, m.name], decls, classDoc);
      }
    }
  }
  assert.deepEqual([...keywordObjects].sort(), [...KEYWORD_OBJECTS].sort(), 'the keyword-argument objects are exported');
  return { problems, checked };
}

test('every public symbol has its Python name in its doc comment (or says it has none)', { skip: !havePeer('python3', ['--version']) && 'python3 not installed', timeout: 300_000 }, (t) => {
  const { problems, checked } = check();
  t.diagnostic(`${checked} public symbols checked`);
  assert.ok(checked > 300, `only ${checked} symbols found: the entry points moved?`);
  assert.deepEqual(
    problems.map((p) => `${p.where}: wants ${p.want}`),
    [],
  );
});

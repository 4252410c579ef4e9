// Reads lib/index.ts with the TypeScript compiler: every public export, its doc comment, and the
// members of exported interfaces. test/public-api.test.ts checks them and README's API section.
import { relative, resolve } from 'path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '..', '..');
const INDEX = resolve(ROOT, 'lib', 'index.ts');

/** One export of lib/index.ts. */
export interface PublicExport {
  readonly name: string;
  readonly kind: 'class' | 'interface' | 'type' | 'function' | 'const';
  /** Source file, relative to the project root. */
  readonly file: string;
  /** The doc comment's text (empty when there is none). */
  readonly doc: string;
  /** Members of an interface (or a class's constructor props are their own interface). */
  readonly members: readonly { name: string; optional: boolean; doc: string; hasDefault: boolean }[];
}

function kindOf(decl: ts.Declaration): PublicExport['kind'] {
  if (ts.isClassDeclaration(decl)) return 'class';
  if (ts.isInterfaceDeclaration(decl)) return 'interface';
  if (ts.isTypeAliasDeclaration(decl)) return 'type';
  if (ts.isFunctionDeclaration(decl)) return 'function';
  if (ts.isVariableDeclaration(decl) && decl.initializer && ts.isArrowFunction(decl.initializer)) return 'function';
  return 'const';
}

/** Every export of lib/index.ts, in the order the index lists them. */
export function publicExports(): PublicExport[] {
  const program = ts.createProgram([INDEX], { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, target: ts.ScriptTarget.ES2022, skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(INDEX)!)!;
  return checker.getExportsOfModule(moduleSymbol).map((exported) => {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decl = symbol.declarations![0];
    const members = ts.isInterfaceDeclaration(decl)
      ? decl.members.filter(ts.isPropertySignature).map((m) => {
        const s = checker.getSymbolAtLocation(m.name)!;
        return {
          name: m.name.getText(), optional: !!m.questionToken,
          doc: ts.displayPartsToString(s.getDocumentationComment(checker)).trim(),
          hasDefault: s.getJsDocTags(checker).some((t) => t.name === 'default'),
        };
      })
      : [];
    return {
      name: exported.name, kind: kindOf(decl), file: relative(ROOT, decl.getSourceFile().fileName),
      doc: ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim(), members,
    };
  });
}

/** The first sentence of a doc comment, on one line. */
function summary(doc: string): string {
  const flat = doc.replace(/\s+/g, ' ').trim();
  const m = /^(.*?(?<!\b(?:e\.g|i\.e))[.!?])(\s|$)/.exec(flat);
  return (m ? m[1] : flat).replace(/\|/g, '\\|');
}

/** The README's API section body: one table row per export, grouped by layer. */
export function apiMarkdown(exports: readonly PublicExport[]): string {
  const rows = exports.map((e) => `| \`${e.name}\` | ${e.kind} | [${e.file}](${e.file}) | ${summary(e.doc)} |`);
  return ['| export | kind | source | what |', '|---|---|---|---|', ...rows].join('\n');
}

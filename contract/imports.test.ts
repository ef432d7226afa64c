import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

/**
 * The folder rules of docs/architecture.md that keep the public shapes apart: nothing of `api/` is imported by `core/`,
 * `workers/` or `contract/`, and `contract/` loads no core module that loads others, so core may import contract's
 * shapers where it builds an event payload or a snapshot without a value import ever running in a circle.
 */
const ROOT = path.resolve(import.meta.dirname, '..');

interface ProjectImport {
  /** The imported file, relative to the repository root. */
  target: string;
  /** Erased at run time (`import type`, `export type`): it loads nothing. */
  typeOnly: boolean;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts'))
    .map((file) => path.join(folder, file));
}

/** The project files `file` imports (static imports, re-exports and dynamic `import()`), packages left out. */
function projectImports(file: string): ProjectImport[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest);
  const found: ProjectImport[] = [];
  const add = (specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) return;
    found.push({ target: path.join(path.dirname(file), specifier.text), typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, node.importClause?.isTypeOnly ?? false);
    else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0], false);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const folderOf = (file: string) => file.split(path.sep)[0]!;

test('core, workers and contract import nothing of the api', () => {
  const offending = ['core', 'workers', 'contract'].flatMap((folder) =>
    sourceFiles(folder).flatMap((file) => projectImports(file).filter((imported) => folderOf(imported.target) === 'api').map((imported) => `${file} → ${imported.target}`)),
  );
  assert.deepEqual(offending, []);
});

test('contract imports core for its types, and code only from core modules that import no project code', () => {
  const offending = sourceFiles('contract').flatMap((file) =>
    projectImports(file).flatMap((imported) => {
      const folder = folderOf(imported.target);
      if (folder === 'contract') return [];
      if (folder !== 'core') return [`${file} → ${imported.target}: contract imports only contract and core`];
      if (imported.typeOnly) return [];
      const loaded = projectImports(imported.target).filter((next) => !next.typeOnly);
      return loaded.length === 0 ? [] : [`${file} → ${imported.target}, which loads ${loaded.map((next) => next.target).join(', ')}`];
    }),
  );
  assert.deepEqual(offending, []);
});

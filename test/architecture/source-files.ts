/** The repository's TypeScript sources and their imports, read statically (nothing is executed). */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import ts from "typescript";

export const ROOT = path.resolve(import.meta.dirname, "../..");

/** Repository-relative paths (with `/`) of the .ts files under `dir`. */
export function sourceFiles(dir: string): string[] {
  return (readdirSync(path.join(ROOT, dir), { recursive: true }) as string[])
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => path.posix.join(dir, f.split(path.sep).join("/")))
    .sort();
}

export function read(file: string): string {
  return readFileSync(path.join(ROOT, file), "utf8");
}

export interface Import {
  /** As written. */
  readonly specifier: string;
  /** Repository-relative target of a relative import (`.js` read as the `.ts` source); else undefined. */
  readonly target?: string;
}

/** Static, dynamic and re-export imports of `file`, type-only ones included. */
export function importsOf(file: string): Import[] {
  const info = ts.preProcessFile(read(file), true, true);
  return info.importedFiles.map(({ fileName }) => {
    if (!fileName.startsWith(".")) return { specifier: fileName };
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName));
    return { specifier: fileName, target: target.replace(/\.js$/, ".ts") };
  });
}

/** Functions (declarations, methods, arrows) of `file` longer than `max` lines. */
export function longFunctions(file: string, max: number): string[] {
  const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = node.name?.getText(source) ?? "(anonymous)";
      if (last - first + 1 > max) found.push(`${file}:${first + 1} ${name} (${last - first + 1} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Every string a file spells out, with where: string literals, template text, property names and
 * identifiers. Comments are not code and are skipped.
 */
export function literalsOf(file: string): { text: string; line: number }[] {
  const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true);
  const out: { text: string; line: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node) ||
      ts.isIdentifier(node)
    ) {
      out.push({ text: node.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/**
 * Where a model file's default export is (the function that builds the model), for the CodeLens above it.
 * A line-based match is enough: model files are small, and a statement at the start of a line is what a
 * reader sees as "the export". Pure (no `vscode`).
 */

/** `export default function`, `export default async function`, `export default (`, `export default model`, CommonJS. */
const DEFAULT_EXPORT = /^[ \t]*(export[ \t]+default\b|module\.exports[ \t]*=|exports\.default[ \t]*=)/;

/** The 0-based line of the first default export, or undefined when the file has none. */
export function findDefaultExportLine(text: string): number | undefined {
  const lines = text.split(/\r?\n/);
  let inComment = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    // Skip block comments (a commented-out export is no export); line comments cannot match the pattern.
    if (inComment) {
      if (line.includes('*/')) inComment = false;
      continue;
    }
    if (/^[ \t]*\/\*/.test(line) && !line.includes('*/')) {
      inComment = true;
      continue;
    }
    if (DEFAULT_EXPORT.test(line)) return i;
  }
  return undefined;
}

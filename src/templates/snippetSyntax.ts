/**
 * The part of VS Code's snippet syntax the snippets use, and what turns a snippet into plain code: tab
 * stops `$1` / `${1}`, placeholders `${1:default}` (nestable), choices `${1|a,b,c|}`, the final `$0`, and
 * `\$` for a literal dollar. Variables (`$TM_FILENAME`...) are not used. No TensorFlow.js, no vscode.
 */

/**
 * Expands a snippet body: each placeholder takes `values[n]` when given, else its default (the first
 * choice); a bare tab stop takes the value of the placeholder with the same number (VS Code mirrors it).
 */
export function expandSnippet(body: string, values: Record<number, string> = {}): string {
  const defaults: Record<number, string> = { ...values };
  let text = body;
  // Innermost first: a placeholder's default holds no further `${`.
  const placeholder = /\$\{(\d+):([^${}]*)\}|\$\{(\d+)\|([^|]*)\|\}/;
  for (;;) {
    const m = placeholder.exec(text);
    if (!m) break;
    const n = Number(m[1] ?? m[3]);
    const fallback = m[1] !== undefined ? m[2] : splitChoices(m[4])[0];
    const value = values[n] ?? defaults[n] ?? fallback;
    defaults[n] ??= value;
    text = text.slice(0, m.index) + value + text.slice(m.index + m[0].length);
  }
  text = text.replace(/\$\{(\d+)\}|\$(\d+)/g, (_all, a: string | undefined, b: string | undefined) => defaults[Number(a ?? b)] ?? '');
  return text.replace(/\\\$/g, '$');
}

/** The choices of every choice placeholder, by number (for tests and docs). */
export function snippetChoices(body: string): Record<number, string[]> {
  const out: Record<number, string[]> = {};
  for (const m of body.matchAll(/\$\{(\d+)\|([^|]*)\|\}/g)) out[Number(m[1])] = splitChoices(m[2]);
  return out;
}

/** Choices are separated by commas; a backslash before a comma makes it part of the choice. */
function splitChoices(text: string): string[] {
  return text.split(/(?<!\\),/).map((c) => c.replace(/\\,/g, ','));
}

/**
 * TypeScript to JavaScript for the snippets' own code: removes the type annotations they use, from a
 * closed list (longest first). Tests build every JavaScript variant with esbuild's `js` loader, so an
 * annotation left behind fails them.
 */
const ANNOTATIONS = [
  ': { inputShape: number[]; numClasses: number }',
  ": Record<string, (number | 'M')[]>",
  ': tf.serialization.ConfigDict',
  ': tf.SymbolicTensor[]',
  ': tf.SymbolicTensor',
  ': tf.Tensor | tf.Tensor[]',
  ': tf.Shape | tf.Shape[]',
  ': tf.Tensor4D',
  ': tf.Tensor',
  ': tf.LayerVariable[]',
  ': tf.LayerVariable',
  ": (number | 'M')[]",
  ': number[]',
  ': number',
  ': string',
  ': boolean',
  ': any',
  " as 'valid' | 'same'",
  ' as tf.SymbolicTensor[]',
  ' as tf.SymbolicTensor',
  ' as tf.Tensor4D',
  ' as tf.Tensor',
  ' as tf.Shape',
  ' as number[]',
  ' as number',
];

export function toJavaScript(tsBody: string): string {
  let text = tsBody;
  for (const a of ANNOTATIONS) {
    const pattern = new RegExp(a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '(?![\\w\\[])', 'g');
    text = text.replace(pattern, '');
  }
  // `override` and `readonly` modifiers, and `!` definite-assignment marks on fields.
  return text.replace(/\b(override|readonly) /g, '').replace(/^(\s+\w+)!;/gm, '$1;');
}

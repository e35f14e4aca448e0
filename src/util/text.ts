/** Text from disk or from users, made safe to print in one line (terminal, log, notification). */

/**
 * Control characters (a newline, ESC of a terminal escape sequence, ...) written as \n, \x1b, \u2028, so
 * that a name read from disk cannot break a message into lines or drive the terminal.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** At most `max` characters of `text`, printable, with "..." where it was cut: for quoting file contents. */
export function excerpt(text: string, max = 40): string {
  const cut = text.length > max ? `${text.slice(0, max)}...` : text;
  return printable(cut);
}

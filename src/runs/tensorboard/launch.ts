/**
 * How to start TensorBoard on a runs folder (it finds every run's tensorboard/train and validation
 * folders below it): the command line, and whether a `tensorboard` executable is on the PATH. Shared by
 * `dl-lab tensorboard` and VS Code's Open in TensorBoard.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const INSTALL_HINT = 'pip install tensorboard';

/** The arguments of `tensorboard` for `runsDir`. */
export function tensorboardArgs(runsDir: string, port?: number): string[] {
  return ['--logdir', path.resolve(runsDir), ...(port !== undefined ? ['--port', String(port)] : [])];
}

/** The command line to type in a shell (arguments quoted where the shell would split or expand them). */
export function tensorboardCommandLine(runsDir: string, port?: number): string {
  return ['tensorboard', ...tensorboardArgs(runsDir, port)].map(shellQuote).join(' ');
}

function shellQuote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return process.platform === 'win32' ? `"${arg}"` : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The `tensorboard` executable found on `PATH` (or the given one), or undefined when it is not installed. */
export function findTensorboard(envPath = process.env.PATH ?? ''): string | undefined {
  const names = process.platform === 'win32' ? ['tensorboard.exe', 'tensorboard.cmd', 'tensorboard'] : ['tensorboard'];
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        if (fs.statSync(file).isFile()) return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

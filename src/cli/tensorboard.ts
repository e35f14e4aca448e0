/**
 * `dl-lab tensorboard [runs-dir]`: prints the command that starts TensorBoard on the runs folder (stdout,
 * one line, so that `$(dl-lab tensorboard)` runs it), and on stderr what stands in its way: TensorBoard not
 * installed, or no run with TensorBoard logs yet.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TENSORBOARD_DIR } from '../runs/runFolder';
import { findTensorboard, INSTALL_HINT, tensorboardCommandLine } from '../runs/tensorboard/launch';

export function tensorboardCommand(rest: string[], defaultRunsDir: string, usage: (message: string) => Error): number {
  if (rest.length > 1) throw usage(`tensorboard takes one runs folder, got ${rest.length}: ${rest.join(' ')}`);
  const runsDir = path.resolve(rest[0] ?? defaultRunsDir);
  console.log(tensorboardCommandLine(runsDir));
  if (!findTensorboard()) process.stderr.write(`TensorBoard is not installed here (no tensorboard on PATH): ${INSTALL_HINT}\n`);
  const logged = runsWithLogs(runsDir);
  if (logged === undefined) process.stderr.write(`${runsDir} does not exist yet: no run was trained there\n`);
  else if (logged === 0) process.stderr.write(`no run in ${runsDir} has TensorBoard logs yet (runs trained from this version on write them)\n`);
  return 0;
}

/** How many run folders under `runsDir` hold TensorBoard logs; undefined when the folder does not exist. */
function runsWithLogs(runsDir: string): number | undefined {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(runsDir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  return entries.filter((e) => e.isDirectory() && fs.existsSync(path.join(runsDir, e.name, TENSORBOARD_DIR))).length;
}

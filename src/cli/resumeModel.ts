/**
 * `dl-lab train --resume RUN` without a model file runs the one RUN/run.json names. That file is checked
 * here, before the engine starts: a missing one failed the resumed run in the engine (a completed run was
 * marked failed), and a named pipe or a folder is not a model file.
 */
import * as fs from 'node:fs';
import { printable } from '../util/text';

/** Throws one line naming run.json and the file when `modelFile` is not a regular file. */
export function checkResumedModelFile(runFile: string, modelFile: string): void {
  const named = `${runFile} names the model file ${printable(modelFile)}`;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(modelFile);
  } catch {
    throw new Error(`${named}, which does not exist; the run resumes only with the model file it was trained with`);
  }
  if (!stat.isFile()) {
    const kind = stat.isFIFO() ? 'a named pipe' : stat.isDirectory() ? 'a folder' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : stat.isSocket() ? 'a socket' : 'not a file';
    throw new Error(`${named}, which is ${kind}, not a regular file`);
  }
}

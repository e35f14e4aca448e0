/**
 * The command table (src/extension/shared/commands.ts) against package.json's `contributes`, both ways: every
 * contributed command is in the table with the same title and category, every table entry is contributed,
 * and the menus, keybindings and their `when` clauses name only real commands, views, context keys and
 * tree items. (That activation registers exactly the table's commands: extension.test.ts.)
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { COMMAND_CATEGORY, COMMANDS, CONTEXT_KEYS, VIEW_ITEMS, VIEWS } from '../../src/extension/shared/commands';
import { RUN_STATUSES } from '../../src/protocol/engineTypes';

interface Contributed {
  commands: { command: string; title: string; category?: string }[];
  menus: Record<string, { command: string; when?: string }[]>;
  keybindings: { command: string; when?: string }[];
  views: Record<string, { id: string }[]>;
}

const contributes: Contributed = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')).contributes;
const table = Object.values(COMMANDS);
const ids = new Set<string>(table.map((c) => c.id));
const views = new Set<string>(Object.values(VIEWS));
const contextKeys = new Set<string>(Object.values(CONTEXT_KEYS));
const { run, ...fixed } = VIEW_ITEMS;
const items: string[] = [...Object.values(fixed), ...RUN_STATUSES.map((s) => run(s))];

/** What in `c` disagrees with the table, one line each. */
function problems(c: Contributed): string[] {
  const found: string[] = [];
  const contributed = new Map(c.commands.map((x) => [x.command, x]));
  for (const { id, title } of table) {
    const entry = contributed.get(id);
    if (!entry) found.push(`${id} is not contributed`);
    else if (entry.title !== title || entry.category !== COMMAND_CATEGORY) found.push(`${id}: contributed as "${entry.category}: ${entry.title}"`);
  }
  for (const id of contributed.keys()) if (!ids.has(id)) found.push(`${id} is contributed, not in the table`);
  const contributedViews = Object.values(c.views).flat().map((v) => v.id);
  for (const view of views) if (!contributedViews.includes(view)) found.push(`view ${view} is not contributed`);
  for (const view of contributedViews) if (!views.has(view)) found.push(`view ${view} is contributed, not in the table`);
  for (const [where, entries] of [...Object.entries(c.menus), ['keybindings', c.keybindings] as const]) {
    for (const { command, when } of entries) {
      if (!ids.has(command)) found.push(`${where}: ${command} is not a command`);
      if (!when) continue;
      for (const [, view] of when.matchAll(/\bview == ([\w.]+)/g)) if (!views.has(view)) found.push(`${where} ${command}: no view ${view}`);
      for (const [, item] of when.matchAll(/\bviewItem == ([\w.]+)/g)) if (!items.includes(item)) found.push(`${where} ${command}: no tree item ${item}`);
      for (const [, pattern] of when.matchAll(/\bviewItem =~ \/(.+?)\/(?=\s|$)/g)) {
        if (!items.some((i) => new RegExp(pattern).test(i))) found.push(`${where} ${command}: /${pattern}/ matches no tree item`);
      }
      // Any other dlLab.* name in a clause is a context key the extension sets.
      const rest = when.replace(/\bview(Item)? (==|=~) (\/.+?\/(?=\s|$)|[\w.]+)/g, '');
      for (const [key] of rest.matchAll(/\bdlLab\.[\w.]+/g)) if (!contextKeys.has(key)) found.push(`${where} ${command}: no context key ${key}`);
    }
  }
  return found;
}

test("package.json's contributes agree with the command table, both ways", () => {
  assert.deepEqual(problems(contributes), []);
  assert.equal(ids.size, table.length, 'no id twice');
});

test('each kind of disagreement is found and named', () => {
  const planted: Contributed = JSON.parse(JSON.stringify(contributes));
  planted.commands = planted.commands.filter((c) => c.command !== COMMANDS.openExample.id);
  planted.commands.push({ command: 'dlLab.tensorBoard', title: 'Open TensorBoard', category: COMMAND_CATEGORY });
  planted.commands.find((c) => c.command === COMMANDS.train.id)!.title = 'Train';
  planted.menus['view/title'].push(
    { command: 'dlLab.refreshRunz', when: 'view == dlLab.runs' },
    { command: COMMANDS.refreshRuns.id, when: 'view == dlLab.run' },
    { command: COMMANDS.stopRun.id, when: 'view == dlLab.runs && viewItem == dlLab.run.paused' },
    { command: COMMANDS.deleteRun.id, when: 'view == dlLab.runs && viewItem =~ /^dlLab\\.runz\\./' },
    { command: COMMANDS.stopTraining.id, when: 'dlLab.trainingNow' },
  );
  assert.deepEqual(problems(planted), [
    'dlLab.train: contributed as "Deep Learning: Train"',
    'dlLab.openExample is not contributed',
    'dlLab.tensorBoard is contributed, not in the table',
    'view/title: dlLab.refreshRunz is not a command',
    'view/title dlLab.refreshRuns: no view dlLab.run',
    'view/title dlLab.stopRun: no tree item dlLab.run.paused',
    'view/title dlLab.deleteRun: /^dlLab\\.runz\\./ matches no tree item',
    'view/title dlLab.stopTraining: no context key dlLab.trainingNow',
  ]);
});

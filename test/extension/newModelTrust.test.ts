/**
 * New Model from Template's "From a Dataset…" reads the chosen dataset with the engine (the REAL engine,
 * dist/engine.js) under the same Restricted Mode rule as the Datasets view: in an untrusted workspace only
 * the workspace's folders are read, so a file chosen outside it is refused and no model file is written;
 * trusted, the same file gives the model its shape and classes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type * as vscodeTypes from 'vscode';
import { EngineClient } from '../../src/client/engineClient';
import { cifarImage, scratch } from '../data/build';
import { ENGINE } from '../helpers';
import * as stub from './vscodeStub';
import { fakeEngineHost } from './fakeEngineHost';
import { useVscodeStub } from './useVscodeStub';

const { ui } = stub;
// The stub, with a workspace.fs that writes (the command saves the model file through it).
const vscode = {
  ...stub,
  workspace: Object.assign(Object.create(stub.workspace), {
    fs: { ...stub.workspace.fs, writeFile: async (uri: { fsPath: string }, data: Uint8Array) => fs.writeFileSync(uri.fsPath, data) },
  }),
};
let command: typeof import('../../src/extension/models/newModelCommand');

before(() => {
  useVscodeStub(vscode);
  command = require('../../src/extension/models/newModelCommand');
});

const client = new EngineClient({ enginePath: ENGINE });
after(() => client.dispose());

describe('New Model from Template, from a dataset', () => {
  it('in Restricted Mode a dataset outside the workspace is refused, nothing written; trusted, its shape is used', async () => {
    const root = scratch('new-model-');
    const ws = path.join(root, 'ws');
    fs.mkdirSync(ws);
    // An image folder beside the workspace, not in it: two classes of 32x32 RGB images.
    const outside = path.join(root, 'pets');
    for (const label of ['cat', 'dog']) {
      fs.mkdirSync(path.join(outside, label), { recursive: true });
      for (let i = 0; i < 2; i++) fs.copyFileSync(cifarImage(label, i).file, path.join(outside, label, `${i}.jpg`));
    }
    const target = path.join(ws, 'small.model.ts');
    const deps = { engine: fakeEngineHost(client).host, log: { info: () => undefined } as unknown as vscodeTypes.LogOutputChannel };
    const answer = () => {
      ui.reset();
      ui.folder = ws;
      ui.pickAnswers.push(
        (items) => items.find((i) => i.label === 'AlexNet for small inputs (32x32)'),
        (items) => items.find((i) => i.label === 'From a Dataset…'),
        (items) => items.find((i) => i.label.includes('Choose a File or Folder')),
      );
      ui.openDialogAnswer = () => [stub.Uri.file(outside)];
      ui.saveDialogAnswer = () => stub.Uri.file(target);
    };
    const trusted = ui.trusted;
    try {
      ui.trusted = false;
      answer();
      assert.equal(await command.newModelFromTemplate(deps), undefined);
      const errors = ui.shown.filter((s) => s.kind === 'error').map((s) => s.message);
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(errors[0], /^Cannot read .*pets: .*outside the workspace; in Restricted Mode data is read only from the workspace's folders/);
      assert.equal(fs.existsSync(target), false, 'no model file written');

      ui.trusted = true;
      answer();
      assert.equal((await command.newModelFromTemplate(deps))?.fsPath, target);
      assert.match(fs.readFileSync(target, 'utf8'), /32, ?32, ?3/);
    } finally {
      ui.trusted = trusted;
    }
  });
});

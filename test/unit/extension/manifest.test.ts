/** package.json and the code agree: every contributed id exists in ids.ts and every id is contributed. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Commands, CUSTOM_EDITOR_EXTENSIONS, Settings, VIEW_TYPE } from '../../../src/extension/ids';
import { repoRoot } from '../helpers';

interface Manifest {
  name: string; publisher: string; main: string;
  engines: { vscode: string };
  devDependencies: Record<string, string>;
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    customEditors: { viewType: string; selector: { filenamePattern: string }[] }[];
    menus: Record<string, { command: string; when?: string }[]>;
    configuration: { properties: Record<string, { type: string; default: unknown; description: string }> };
  };
}
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;

describe('package.json manifest', () => {
  it('contributes exactly the commands of ids.ts, each in the NormScope category', () => {
    assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), Object.values(Commands).sort());
    for (const c of manifest.contributes.commands) assert.equal(c.category, 'NormScope', c.command);
  });

  it('registers the custom editor for exactly the extensions the code opens with it', () => {
    const [editor] = manifest.contributes.customEditors;
    assert.equal(editor.viewType, VIEW_TYPE);
    assert.deepEqual(editor.selector.map((s) => s.filenamePattern), CUSTOM_EDITOR_EXTENSIONS.map((e) => `*${e}`));
  });

  it('shows debug commands only while a debug session is paused', () => {
    for (const menu of ['debug/variables/context', 'debug/watch/context']) {
      for (const item of manifest.contributes.menus[menu]) assert.match(item.when ?? '', /debugState == 'stopped'/, `${menu} ${item.command}`);
    }
    const palette = manifest.contributes.menus.commandPalette.find((m) => m.command === Commands.inspectVariable);
    assert.match(palette?.when ?? '', /debugState == 'stopped'/);
  });

  it('declares every setting the code reads, with a type, default and description', () => {
    const props = manifest.contributes.configuration.properties;
    for (const key of [Settings.histogramBins, Settings.maxTransferMB, Settings.inlineComputeElements]) {
      const p = props[`${Settings.section}.${key}`];
      assert.ok(p, `setting ${Settings.section}.${key} is not declared`);
      assert.ok(p.type && p.default !== undefined && p.description, `setting ${key} lacks type, default or description`);
    }
  });

  it('pins every dev dependency and keeps engines.vscode and @types/vscode at or below the tested code-server (1.139)', () => {
    for (const [name, version] of Object.entries(manifest.devDependencies)) assert.match(version, /^\d+\.\d+\.\d+$/, `${name} is not pinned: ${version}`);
    const minor = (v: string) => Number(/1\.(\d+)/.exec(v)![1]);
    assert.ok(minor(manifest.engines.vscode) <= 139);
    assert.ok(minor(manifest.devDependencies['@types/vscode']) <= 139);
    assert.ok(minor(manifest.engines.vscode) >= minor(manifest.devDependencies['@types/vscode']), 'engines.vscode must cover the API types used');
  });
});

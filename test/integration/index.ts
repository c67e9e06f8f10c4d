// The mocha entry VS Code calls in the extension host (`--extensionTestsPath`): the same module serves
// code-server (scripts/vscode/run-integration-tests.mjs) and desktop VS Code (runElectron.ts, .vscode-test.mjs).
// Every *.test.js the build emitted beside it is loaded, so adding a suite needs no change here.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return testFiles(p);
    return e.name.endsWith('.test.js') ? [p] : [];
  }).sort();
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60000 });
  for (const file of testFiles(__dirname)) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const s = runner.stats;
        // mocha's "2 passing" is not a line CI reads; scripts/test-all.mjs sums this one
        console.log(`${s?.passes ?? 0} passed, ${s?.failures ?? failures} failed${s?.pending ? `, ${s.pending} skipped` : ''}`);
        if (failures > 0) reject(new Error(`${failures} integration tests failed`));
        else resolve();
      });
    } catch (err) {
      console.log('0 passed, 1 failed');
      reject(err);
    }
  });
}

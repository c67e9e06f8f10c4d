// `npm run test:electron`: the same integration suite in desktop VS Code through @vscode/test-electron, for
// machines with internet (it downloads VS Code). Offline machines and CI use `npm run test:integration`.
import * as path from 'path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  // this file is bundled to out/test/integration/runElectron.js
  const root = path.resolve(__dirname, '../../..');
  try {
    await runTests({
      version: process.env.VSCODE_TEST_VERSION ?? '1.138.0', // the lowest engines.vscode
      // NormScope and the test-only debug type that runs Debian's debugpy (as scripts/vscode/run-integration-tests.mjs)
      extensionDevelopmentPath: [root, path.join(root, 'test/fixtures/debug-extension')],
      extensionTestsPath: path.join(__dirname, 'index'),
      launchArgs: [path.join(root, 'test/fixtures/workspace'), '--disable-extensions', '--disable-workspace-trust'],
    });
  } catch (err) {
    console.error('Failed to run tests:', err);
    process.exit(1);
  }
}

void main();

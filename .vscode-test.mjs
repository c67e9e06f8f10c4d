// @vscode/test-cli configuration for contributors with internet (`npx vscode-test` downloads VS Code desktop).
// The same suite runs through @vscode/test-electron with `npm run test:electron` (test/integration/runElectron.ts,
// same version, workspace and launch arguments), and offline in code-server with `npm run test:integration`.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'out/test/integration/**/*.test.js',
  extensionDevelopmentPath: ['.', './test/fixtures/debug-extension'],
  workspaceFolder: './test/fixtures/workspace',
  version: '1.138.0',
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  mocha: { ui: 'tdd', timeout: 60000 },
});

// @vscode/test-cli configuration for contributors with internet (downloads VS Code desktop).
// Offline machines and CI run the same suite in code-server: `npm run test:integration`.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'out/test/integration/**/*.test.js',
  workspaceFolder: './test/fixtures/workspace',
  version: '1.138.0',
  mocha: { ui: 'tdd', timeout: 60000 },
});

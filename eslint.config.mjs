// typescript-eslint over host, engine, formats, webview and tests. The one project-specific rule keeps
// `src/engine` and `src/formats` pure: no `vscode`, no Node built-ins, no DOM, so they run in the CLI, the
// worker and the unit tests alike.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-results/**', '.vscode-test/**', '**/*.mjs', '**/*.js', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['src/engine/**/*.ts', 'src/formats/**/*.ts', 'src/shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'engine, formats and shared stay free of the VS Code API' },
          ...nodeBuiltins.map((name) => ({ name, message: 'engine, formats and shared take byte sources and typed arrays, not Node I/O' }))],
        patterns: [{ group: ['**/extension/**', '**/worker/**', '**/node/**', '**/cli/**', '**/webview/**'], message: 'engine, formats and shared depend on nothing above them' }],
      }],
      'no-restricted-globals': ['error',
        ...['window', 'document', 'navigator', 'fetch', 'Buffer', 'process', 'require', '__dirname'].map((name) => ({ name, message: `${name} is not available to pure engine/format code` }))],
    },
  },
);

import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // The pure-Node core, the IPC layer, the server and the CLI run without Electron (CLI, tests,
    // browser mode); only electron/main and electron/preload may load it.
    files: ['electron/core/**/*.ts', 'electron/ipc/**/*.ts', 'electron/server/**/*.ts', 'electron/cli/**/*.ts', 'electron/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Core code must not import electron; put window plumbing in electron/main.' }] }],
    },
  },
  {
    // Shared code is loaded by the renderer too: no Node built-ins.
    files: ['electron/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'electron/shared runs in the renderer as well: no Electron imports.' }],
          patterns: [{ group: ['node:*'], message: 'electron/shared runs in the renderer as well: no Node imports.' }],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer has no Electron: use window.scanStation.' }],
          patterns: [{ group: ['node:*', '**/electron/core/**', '**/electron/main/**', '**/electron/ipc/**', '**/electron/server/**'], message: 'The renderer talks to core only through window.scanStation (types from electron/shared).' }],
        },
      ],
    },
  },
  {
    files: ['renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-restricted-imports': 'off' },
  },
);

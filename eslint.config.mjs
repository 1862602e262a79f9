// Flat config. Besides the usual rules it enforces the environment boundaries:
// src-shared is platform-free, the renderer never reaches Node, and only src-main/app imports electron.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];
/** @param {string[]} names @param {string[]} patterns @param {string} message */
const restrict = (names, patterns, message) => ({
  paths: names.map((name) => ({ name, message })),
  patterns: patterns.map((pattern) => ({ group: [pattern], message })),
});

const sharedBoundary = restrict(
  [...nodeBuiltins, 'electron', 'better-sqlite3', 'react', 'react-dom'],
  ['node:*', '**/src-main/**', '**/src-renderer/**', '../src-main/**', '../src-renderer/**'],
  'src-shared is platform-free: no Node, no electron, no DOM, no main or renderer code.',
);
const rendererBoundary = restrict(
  [...nodeBuiltins, 'electron', 'better-sqlite3'],
  ['node:*', '**/src-main/**'],
  'The renderer talks to main only through the typed IPC contract.',
);
const mainBoundary = restrict(
  ['electron'],
  ['**/src-renderer/**'],
  'Only the thin app layer (src-main/app) imports electron; main never imports renderer code.',
);

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'test-results/', 'coverage/', 'resources/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: globals.node },
  },
  {
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', sharedBoundary],
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'process', 'Buffer', 'require', 'global', '__dirname'].map(
          (name) => ({ name, message: 'src-shared is platform-free.' }),
        ),
      ],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.tsx'],
    languageOptions: { globals: globals.browser },
    rules: {
      'no-restricted-imports': ['error', rendererBoundary],
      'no-restricted-globals': [
        'error',
        ...['process', 'Buffer', 'require', '__dirname'].map((name) => ({
          name,
          message: 'The renderer has no Node.',
        })),
      ],
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/app/**'],
    languageOptions: { globals: globals.node },
    rules: { 'no-restricted-imports': ['error', mainBoundary] },
  },
  {
    files: ['src-main/app/**/*.ts'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['test/**/*.ts', 'scripts/**', 'bin/**', '*.config.*'],
    languageOptions: { globals: globals.node },
  },
);

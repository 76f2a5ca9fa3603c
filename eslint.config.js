import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Every package, test and bench file reaches a package through its public entry point only.
const DEEP_IMPORTS = {
  group: ['@easyremote/*/src/*', '@easyremote/*/dist/*'],
  message: 'Import a package through its public entry point.',
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        Buffer: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
        setImmediate: 'readonly',
        Response: 'readonly',
        Request: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use a const object with a derived type instead of enum.' },
      ],
    },
  },
  {
    // Tests and the bench use packages through their public entry points too.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [DEEP_IMPORTS],
        },
      ],
    },
  },
  {
    // Apps are runnable programs built from libraries: public entry points only, never another app.
    files: ['apps/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            DEEP_IMPORTS,
            {
              group: ['@easyremote/cli', '@easyremote/bridge', '../../*/src/*', '../../../*/src/*'],
              message: 'Apps import only libraries, never another app.',
            },
          ],
        },
      ],
    },
  },
  {
    // Libraries take options and loggers from their callers: no environment, no console.
    files: ['libs/*/src/**/*.ts'],
    ignores: ['libs/*/src/**/*.test.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Libraries take options; only apps read the environment.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            DEEP_IMPORTS,
            {
              group: ['@easyremote/cli', '@easyremote/bridge'],
              message: 'Libraries never import apps.',
            },
          ],
        },
      ],
    },
  },
);

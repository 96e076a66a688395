import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'data/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through loadConfig in config.ts.' },
      ],
    },
  },
  {
    files: ['**/config.ts', '**/*.test.ts', 'scripts/**', 'test/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Tests read untyped JSON bodies from real HTTP responses and assert on them field by field.
    files: ['**/*.test.ts', 'test/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['packages/domain/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', '@kafka-monitor/*'], message: 'The domain is pure: no I/O, no other package.' },
          ],
        },
      ],
    },
  },
  {
    files: ['services/*/src/**/*.ts', 'packages/pipeline/src/**/*.ts'],
    ignores: ['**/main.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@kafka-monitor/runtime',
                '@kafka-monitor/bus-*',
                '@kafka-monitor/store-*',
                '@kafka-monitor/sqlite',
                '@kafka-monitor/telemetry',
              ],
              message: 'Only a composition root (main.ts) picks adapters; receive ports as arguments.',
            },
            {
              group: ['@opentelemetry/*'],
              message: 'Services trace through the MessageTracing port; OpenTelemetry stays in packages/telemetry.',
            },
          ],
        },
      ],
    },
  },
  {
    // Plain-node scripts are type-checked as JavaScript (tooling/tsconfig.json, checkJs), which knows
    // Node's globals; ESLint's own undefined-name rule does not.
    files: ['**/*.mjs'],
    rules: { 'no-undef': 'off' },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);

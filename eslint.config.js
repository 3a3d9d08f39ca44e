// Lint: typed rules that catch real defects (floating promises, thrown literals,
// non-exhaustive switches) plus the core's purity rule: nothing under src/core
// may import I/O (see README "Architecture").
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tap/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 't', property: 'only' }, { object: 'test', property: 'only' }],
      'no-console': 'error'
    }
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: ['fastify', 'fastify-*', '@fastify/*', 'pino', 'node:fs', 'node:fs/*', 'fs', 'node:http', 'node:https', 'undici', 'node:net'],
        paths: ['fs', 'node:fs', 'node:fs/promises', 'node:http']
      }]
    }
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' }
  }
)

// Flat config: TypeScript everywhere, Vue SFCs with <script setup lang="ts">, Prettier last so
// formatting never fights linting.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import prettier from 'eslint-config-prettier'
import globals from 'globals'

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    rules: {
      'vue/block-lang': ['error', { script: { lang: 'ts' } }],
      'vue/multi-word-component-names': 'off'
    }
  },
  {
    files: ['src/renderer/**', 'test/dom/**'],
    languageOptions: { globals: { ...globals.browser } }
  },
  {
    files: [
      'src/main/**',
      'src/preload/**',
      'test/node/**',
      'test/e2e/**',
      'test/*.ts',
      'test/fixtures/**',
      'bench/**',
      'bin/**',
      'scripts/**',
      '*.js',
      '*.ts'
    ],
    languageOptions: { globals: { ...globals.node } }
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
    }
  },
  prettier
)

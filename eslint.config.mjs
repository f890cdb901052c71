import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const depConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:service', 'type:platform', 'type:domain', 'type:contract'] },
  { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:platform', 'type:domain', 'type:contract'] },
  { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'type:domain', 'type:contract'] },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contract'] },
  { sourceTag: 'type:contract', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['*'] },
  { sourceTag: 'scope:standalone', onlyDependOnLibsWithTags: ['*'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  ...['ingestion', 'enrichment', 'decisioning', 'action', 'verification', 'reconciliation'].map((s) => ({
    sourceTag: `scope:${s}`,
    onlyDependOnLibsWithTags: [`scope:${s}`, 'scope:shared'],
  })),
];

export default [
  { ignores: ['**/dist', '**/node_modules', 'tmp', '.data', '.nx', 'coverage'] },
  ...tseslint.configs.recommended,
  { rules: { 'max-len': ['error', { code: 140, ignoreUrls: true }] } },
  {
    plugins: { '@nx': nx },
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints, banTransitiveDependencies: false },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='eval']", message: 'eval is banned: expressions go through CEL.' },
        { selector: "NewExpression[callee.name='Function']", message: 'new Function is banned: expressions go through CEL.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@baton/*/*'], message: 'Import libs through their index.' },
            { group: ['vm', 'node:vm'], message: 'vm is banned.' },
          ],
        },
      ],
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/__tests__/**/*.ts', '**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts', 'tools/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Tests and their harnesses read loosely shaped HTTP and bus payloads; product code types them.
    files: [
      '**/__tests__/**/*.ts',
      '**/*.spec.ts',
      '**/*.integration-spec.ts',
      '**/*.e2e-spec.ts',
      '**/*.browser-spec.ts',
      '**/*.harness.ts',
      '**/test/**/*.ts',
      'tools/**',
    ],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
];

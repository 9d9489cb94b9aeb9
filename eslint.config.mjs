import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/** `schemas` imports zod only; its specs may also use the property-testing tool. */
const moduleBoundaries = (schemasImports) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
      { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
      { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
      { sourceTag: 'lib:schemas', onlyDependOnLibsWithTags: [], allowedExternalImports: schemasImports },
    ],
  },
];

export default [
  { ignores: ['**/dist', '**/node_modules', '**/.cache', '**/*.js', '**/*.mjs'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': moduleBoundaries(['zod']),
    },
  },
  { files: ['libs/schemas/src/**/*.spec.ts'], rules: { '@nx/enforce-module-boundaries': moduleBoundaries(['zod', 'fast-check']) } },
];

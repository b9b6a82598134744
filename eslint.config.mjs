import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const frameworks = ['@nestjs/*', 'typeorm', 'kafkajs', 'pg', 'express', '@tremplin/pg', '@tremplin/messaging', '@tremplin/event-store-postgres'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.nx/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          // The testing lib serves the specs of the libs it builds on (a spec-only edge, not a real cycle);
          // production files are kept off it by the no-restricted-imports rule below.
          ignoredCircularDependencies: [['testing', 'tag:type:platform'], ['testing', 'local-infra']],
          depConstraints: [
            // Two dimensions (as in nrwl/nx-examples): scope keeps services apart, type keeps layers apart.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:intake', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:lending', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:guarantee-fund', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:accompaniment', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:reporting', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:contracts', 'type:platform', 'type:kernel', 'type:testing'] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:kernel', 'type:testing'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:kernel'] },
            { sourceTag: 'type:kernel', onlyDependOnLibsWithTags: ['type:kernel'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:kernel', 'type:tooling'] },
            { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:kernel', 'type:testing'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:contracts', 'type:testing', 'type:kernel'] },
            { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:kernel', 'type:testing', 'type:tooling'] },
          ],
        },
      ],
    },
  },
  {
    // The testing lib is for specifications only: production code must not reach for it.
    files: ['services/**/*.ts', 'libs/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/testing/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@tremplin/testing', '@tremplin/local-infra'], message: 'test helpers are for specs only' }] }],
    },
  },
  {
    // Kernel and contracts stay free of frameworks and I/O.
    files: ['libs/finance/**/*.ts', 'libs/contracts/**/*.ts', 'libs/event-sourcing/**/*.ts'],
    ignores: ['**/*.int.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: frameworks, message: 'kernel, contracts and event-sourcing code import no framework and do no I/O' }] }],
    },
  },
  {
    // Deciders, commands and events are pure: no framework, no I/O, no clock (time is passed in). The state, evolve,
    // rules and terms files a decider is split into are part of it and held to the same rule.
    files: ['**/*.decider.ts', '**/*.commands.ts', '**/*.events.ts', '**/*.state.ts', '**/*.evolve.ts', '**/*.rules.ts', '**/*.terms.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: [...frameworks, '@tremplin/service-kit', '@tremplin/tenancy', '@tremplin/auth', '@tremplin/privacy', 'node:fs', 'fs'], message: 'deciders, commands and events import no framework' }] }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'time is passed into deciders, never read inside them' }, { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'time is passed into deciders, never read inside them' }],
    },
  },
  {
    files: ['**/*.spec.ts', 'test-e2e/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);

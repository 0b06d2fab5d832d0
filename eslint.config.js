// ESLint (flat config): typescript-eslint's recommended rules on every TypeScript source of the workspace.
// Architecture rules (package boundaries, banned imports such as Math.random) are checked by
// tools/lint/check-boundaries.js; formatting is Prettier's (`npm run format:check`), so no stylistic rules here.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { linterOptions: { reportUnusedDisableDirectives: 'off' } },
  { ignores: ['**/node_modules/**', '**/dist/**', '.nx/**', 'coverage/**', 'results/**', 'bench/tmp/**'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    rules: {
      // A leading underscore marks a deliberately unused name (an interface's parameter, a key dropped by rest).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // `any` appears only where the code reads untyped structures (zod's internal definitions, JSON Schema
      // trees, gpu.js kernel arguments) and as the default type argument of descriptor contracts.
      '@typescript-eslint/no-explicit-any': 'off',
      // Published constants (Catalan's constant, K_c, Cephes coefficients) are written with the digits their
      // sources give; the double nearest to them is the value meant.
      'no-loss-of-precision': 'off',
      // Flags initialisers that are overwritten before use; gpu.js kernels need them to infer types, and the
      // type-checker already proves every variable assigned before it is read.
      'no-useless-assignment': 'off',
    },
  },
);

// Type-aware lint: catches floating promises and misused async, which the compiler does not.
import tseslint from 'typescript-eslint';

// The layers (ARCHITECTURE.md "Layers": data flows down): entry points (cli, server) → services → engine →
// ports (sources, net, download, store). A lower layer importing a higher one is a cycle in the making.
const ENTRY_AND_SERVICES = {
  group: ['**/services/**', '**/server/**', '**/cli/**'],
  message: 'engine, net, download and sources sit below services, server and cli: pass what they need down instead of importing it.',
};
const ENGINE = {
  group: ['**/engine/**'],
  message: 'net, download and sources sit below the engine: bottom-layer helpers (sleep, abortReason, deadlineOf, onAbort) are in src/signal.ts.',
};
const DRIVER_MESSAGE = 'services reach the database through the Store port (src/store/), never through a driver.';
const DATABASE_DRIVERS = [
  { name: 'better-sqlite3', message: DRIVER_MESSAGE },
  { name: 'pg', message: DRIVER_MESSAGE },
  { name: 'kysely', importNames: ['SqliteDialect', 'PostgresDialect', 'MysqlDialect', 'MssqlDialect'], message: DRIVER_MESSAGE },
];
// Tests may wire layers together (a Budget for a net test, a real driver to corrupt a database).
const PRODUCT_ONLY = ['**/*.test.ts', '**/*.test-helper.ts'];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'downloads/', 'bench/results/', 'test-artifacts/', 'web/dist/'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['bin/*.js', 'scripts/*.mjs', 'eslint.config.js'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'error',
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    ignores: PRODUCT_ONLY,
    rules: { 'no-restricted-imports': ['error', { patterns: [ENTRY_AND_SERVICES] }] },
  },
  {
    files: ['src/net/**/*.ts', 'src/download/**/*.ts', 'src/sources/**/*.ts'],
    ignores: PRODUCT_ONLY,
    rules: { 'no-restricted-imports': ['error', { patterns: [ENTRY_AND_SERVICES, ENGINE] }] },
  },
  {
    files: ['src/services/**/*.ts'],
    ignores: PRODUCT_ONLY,
    rules: { 'no-restricted-imports': ['error', { paths: DATABASE_DRIVERS, patterns: [{ group: ['pg-*', 'kysely/*'], message: DRIVER_MESSAGE }] }] },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);

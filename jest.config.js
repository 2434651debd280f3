// ESM + TypeScript through ts-jest (run with NODE_OPTIONS=--experimental-vm-modules; see package.json).
/** @type {import('jest').Config} */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        useESM: true,
        // Type-checking is `npm run typecheck`; here files are only transpiled, which is fast.
        tsconfig: {
          module: 'esnext',
          moduleResolution: 'bundler',
          allowImportingTsExtensions: true,
          noEmit: true,
          isolatedModules: true,
          target: 'es2023',
          verbatimModuleSyntax: false,
          rewriteRelativeImportExtensions: false,
        },
      },
    ],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/setup/global-setup.mjs',
  globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
  maxWorkers: 2,
  testTimeout: 60_000,
}

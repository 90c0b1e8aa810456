/**
 * The testcontainers integration suite: `npx nx run-many -t integration`.
 * Not named jest.config.ts on purpose, so the `test` target (which must run
 * on machines without a container runtime) never picks these suites up.
 */
export default {
  // Its own name, so its JUnit and summary reports do not overwrite the unit tests'.
  displayName: 'compose-topology',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  globalSetup: '<rootDir>/src/global-setup.ts',
  globalTeardown: '<rootDir>/src/global-teardown.ts',
  // Pulling images and starting Neo4j happen in globalSetup; a test only talks to running services.
  testTimeout: 120_000,
};

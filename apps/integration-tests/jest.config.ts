/**
 * Run by `test` everywhere: unit tests of the integration suite's own
 * machinery (the runtime probe and the compose file reading), and
 * cross-service suites that run both apps in one process on services this
 * machine can start (a real Redis). The suites that need containers have
 * their own config: jest.integration.config.ts.
 */
export default {
  displayName: 'integration-tests',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/unit/**/*.spec.ts', '<rootDir>/cross-service/**/*.spec.ts'],
};

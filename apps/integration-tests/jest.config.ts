/**
 * Unit tests of the integration suite's own machinery (the runtime probe and
 * the compose file reading), run by `test` everywhere. The suites that need
 * containers have their own config: jest.integration.config.ts.
 */
export default {
  displayName: 'integration-tests',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/unit/**/*.spec.ts'],
};

export default {
  displayName: 'infra',
  preset: '../../jest.preset.js',
  rootDir: '.',
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
  // Synthesizing a stage takes seconds; the default 30 s leaves little headroom on two cores.
  testTimeout: 120000,
};

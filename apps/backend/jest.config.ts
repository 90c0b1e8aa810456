export default {
  displayName: 'backend',
  preset: '../../jest.preset.js',
  rootDir: '.',
};

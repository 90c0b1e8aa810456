export default {
  displayName: 'stores',
  preset: '../../jest.preset.js',
  rootDir: '.',
};

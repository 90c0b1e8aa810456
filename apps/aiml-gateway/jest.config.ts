export default {
  displayName: 'aiml-gateway',
  preset: '../../jest.preset.js',
  rootDir: '.',
};

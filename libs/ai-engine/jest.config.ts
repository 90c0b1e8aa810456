export default {
  displayName: 'ai-engine',
  preset: '../../jest.preset.js',
  rootDir: '.',
};

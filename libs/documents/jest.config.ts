export default {
  displayName: 'documents',
  preset: '../../jest.preset.js',
  rootDir: '.',
  moduleNameMapper: {
    '^file-type$': '<rootDir>/../../node_modules/file-type/index.js',
    '^unpdf/pdfjs$': '<rootDir>/../../node_modules/unpdf/dist/pdfjs.mjs',
  },
  transformIgnorePatterns: [
    '/node_modules/(?!(file-type|strtok3|peek-readable|token-types|uint8array-extras|@tokenizer|@borewit|get-stream|@sec-ant|is-stream|unpdf)/)',
  ],
};

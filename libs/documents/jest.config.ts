export default {
  displayName: 'documents',
  preset: '../../jest.preset.js',
  rootDir: '.',
  // file-type and unpdf's pdf.js bundle publish only `import` entry points,
  // which jest's CommonJS resolver does not follow; point it at those files
  // (transpiled by the preset's transform) directly.
  moduleNameMapper: {
    '^file-type$': '<rootDir>/../../node_modules/file-type/index.js',
    '^unpdf/pdfjs$': '<rootDir>/../../node_modules/unpdf/dist/pdfjs.mjs',
  },
  // The preset's list plus file-type's ESM-only dependencies it lacks
  // (@borewit/text-codec, get-stream and theirs).
  transformIgnorePatterns: [
    '/node_modules/(?!(file-type|strtok3|peek-readable|token-types|uint8array-extras|@tokenizer|@borewit|get-stream|@sec-ant|is-stream|unpdf)/)',
  ],
};

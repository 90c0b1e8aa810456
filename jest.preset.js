// Shared jest settings: swc transpiles TypeScript (type checking is the
// `typecheck` target's job), and path aliases come from tsconfig.base.json.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {
  ...Object.fromEntries(
    Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
      `^${alias.replace('/', '\\/')}$`,
      path.join(__dirname, target),
    ]),
  ),
  // file-type and unpdf's pdf.js bundle publish only `import` entry points,
  // which jest's CommonJS resolver does not follow; point it at those files
  // (transpiled by the transform below) directly.
  '^file-type$': path.join(__dirname, 'node_modules/file-type/index.js'),
  '^unpdf/pdfjs$': path.join(__dirname, 'node_modules/unpdf/dist/pdfjs.mjs'),
};

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  // ESM-only dependencies are transpiled to CommonJS for jest.
  transformIgnorePatterns: [
    '/node_modules/(?!(lru-cache|file-type|strtok3|peek-readable|token-types|uint8array-extras|@tokenizer|@borewit|get-stream|@sec-ant|is-stream|unpdf|chromadb|htmlparser2|domhandler|domutils|domelementtype|dom-serializer|entities)/)',
  ],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper,
  testMatch: ['**/?(*.)+(spec|test).ts'],
  testTimeout: 30000,
  // A test that times out can leave its server or socket open, and jest then
  // waits for it forever after printing the failure: CI would sit until its
  // limit instead of failing (seen in a fresh-clone run). Jest still names
  // the leak when it has to force the exit.
  forceExit: true,
  globalSetup: path.join(__dirname, 'tools/jest/scratch-directory-setup.cjs'),
  globalTeardown: path.join(__dirname, 'tools/jest/scratch-directory-teardown.cjs'),
  reporters: ['default', path.join(__dirname, 'tools/jest/summary-reporter.cjs')],
};

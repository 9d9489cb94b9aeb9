// Shared jest settings: swc for speed, tsconfig paths mapped by hand (one resolution style: tsconfig paths).
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace('/', '\\/')}$`] = path.join(__dirname, target);
}

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testMatch: ['**/?(*.)+(spec).ts'],
  globalSetup: path.join(__dirname, 'tools/local-kafka/src/jest-global-setup.ts'),
  globalTeardown: path.join(__dirname, 'tools/local-kafka/src/jest-global-teardown.ts'),
  testTimeout: 60_000,
};

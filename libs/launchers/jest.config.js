// @kubernetes/client-node and its auth deps ship ESM only: swc compiles them to CommonJS for jest
// (the esbuild bundle does the same at build time).
const preset = require('../../jest.preset.js');
const esmOnly = ['@kubernetes/client-node', 'openid-client', 'oauth4webapi', 'jose', 'jsonpath-plus', 'rfc4648'];
module.exports = {
  ...preset,
  displayName: 'launchers',
  rootDir: __dirname,
  transform: { ...preset.transform, '^.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
};

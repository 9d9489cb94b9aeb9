// Some dependencies ship ESM only (@kubernetes/client-node and its auth libs; content-disposition
// and cookie under Fastify). Node 20's jest runtime cannot require them, so swc compiles them to
// CommonJS for tests; the esbuild bundles do the same at build time.
const ESM_ONLY = ['@kubernetes/client-node', 'openid-client', 'oauth4webapi', 'jose', 'jsonpath-plus', 'rfc4648', 'content-disposition', 'cookie'];

/** A project's jest config with the ESM-only packages compiled. */
module.exports = function withEsmPackages(config) {
  return {
    ...config,
    transform: { ...config.transform, '^.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
    transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  };
};

// The Kubernetes launcher's client (@kubernetes/client-node) is ESM: the lifecycle tests run it.
const withEsmPackages = require('../../tools/scripts/jest-esm-packages.js');
module.exports = withEsmPackages({ ...require('../../jest.preset.js'), displayName: 'orchestrator', rootDir: __dirname });

const withEsmPackages = require('../../tools/scripts/jest-esm-packages.js');
// The client's test runs queue-manager's auth plugin, which loads jose (ESM only).
module.exports = withEsmPackages({ ...require('../../jest.preset.js'), displayName: 'platform', rootDir: __dirname });

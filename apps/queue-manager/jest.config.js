const withEsmPackages = require('../../tools/scripts/jest-esm-packages.js');
module.exports = withEsmPackages({ ...require('../../jest.preset.js'), displayName: 'queue-manager', rootDir: __dirname });

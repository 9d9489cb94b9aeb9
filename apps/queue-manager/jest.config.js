module.exports = { ...require('../../jest.preset.js'), displayName: 'queue-manager', rootDir: __dirname };

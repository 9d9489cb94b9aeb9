module.exports = { ...require('../../jest.preset.js'), displayName: 'queue-api', rootDir: __dirname };

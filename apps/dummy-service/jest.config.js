module.exports = { ...require('../../jest.preset.js'), displayName: 'dummy-service', rootDir: __dirname };

module.exports = { ...require('../../jest.preset.js'), displayName: 'loader', rootDir: __dirname };

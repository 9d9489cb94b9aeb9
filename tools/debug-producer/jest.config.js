module.exports = { ...require('../../jest.preset.js'), displayName: 'debug-producer', rootDir: __dirname };

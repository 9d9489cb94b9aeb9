module.exports = { ...require('../../jest.preset.js'), displayName: 'loader-api-candles', rootDir: __dirname };

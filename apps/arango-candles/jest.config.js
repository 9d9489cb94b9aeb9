module.exports = { ...require('../../jest.preset.js'), displayName: 'arango-candles', rootDir: __dirname };

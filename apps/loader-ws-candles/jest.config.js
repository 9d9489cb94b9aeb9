module.exports = { ...require('../../jest.preset.js'), displayName: 'loader-ws-candles', rootDir: __dirname };

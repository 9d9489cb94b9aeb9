module.exports = { ...require('../../jest.preset.js'), displayName: 'candle-sink', rootDir: __dirname };

module.exports = { ...require('../../jest.preset.js'), displayName: 'live-loader', rootDir: __dirname };

module.exports = { ...require('../../jest.preset.js'), displayName: 'local-kafka', rootDir: __dirname };

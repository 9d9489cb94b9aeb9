module.exports = { ...require('../../jest.preset.js'), displayName: 'dashboard-ui', rootDir: __dirname };

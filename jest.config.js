// One jest run over every project, so the whole suite shares one Kafka broker (started in globalSetup).
module.exports = {
  projects: ['<rootDir>/libs/*/jest.config.js', '<rootDir>/apps/*/jest.config.js', '<rootDir>/tools/*/jest.config.js'],
  globalSetup: require('./jest.preset.js').globalSetup,
  globalTeardown: require('./jest.preset.js').globalTeardown,
  testTimeout: 60_000,
};

// Static checks of what we ship (deploy/, Dockerfiles, CI, devcontainer, docs): no Kafka broker needed.
module.exports = { ...require('../../jest.preset.js'), displayName: 'deploy-tests', rootDir: __dirname, globalSetup: undefined, globalTeardown: undefined };

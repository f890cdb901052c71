module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'decisioning-service',
  rootDir: __dirname,
};

module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'action-service',
  rootDir: __dirname,
};

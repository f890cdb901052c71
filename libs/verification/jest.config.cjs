module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'verification-service',
  rootDir: __dirname,
};

module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'platform-bootstrap',
  rootDir: __dirname,
};

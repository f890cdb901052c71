module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'platform-edge',
  rootDir: __dirname,
};

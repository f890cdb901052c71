module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'action',
  rootDir: __dirname,
};

module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'sample-systems',
  rootDir: __dirname,
};

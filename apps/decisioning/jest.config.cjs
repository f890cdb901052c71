module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'decisioning',
  rootDir: __dirname,
};

module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'workflow',
  rootDir: __dirname,
};

module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'connectors',
  rootDir: __dirname,
};

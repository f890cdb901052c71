// Tests of the workspace itself: deployment files, tooling scripts.
module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'workspace',
  rootDir: __dirname,
};

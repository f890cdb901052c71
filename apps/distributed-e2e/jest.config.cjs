// The distributed deployment end to end: the six service apps and the sample systems as separate
// processes over the real Kafka broker and PostgreSQL (tools/test.mjs starts both). Test files run
// one at a time: each starts seven processes, which is what a 2-core machine holds.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'distributed-e2e',
  rootDir: __dirname,
  maxWorkers: 1,
};

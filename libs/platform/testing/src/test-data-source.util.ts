import type { DataSource } from 'typeorm';

export interface TestDataSource {
  /** The open data source; read it inside hooks and tests, not while the suite is being declared. */
  readonly dataSource: DataSource;
}

/**
 * Registers, in the calling `describe`, a data source that `open` makes once before its tests and
 * destroys after them; with `emptied`, those tables lose their rows before each test so tests do not
 * see each other's rows.
 */
export function useTestDataSource(open: () => Promise<DataSource>, emptied: readonly string[] = []): TestDataSource {
  let opened: DataSource | undefined;
  beforeAll(async () => {
    opened = await open();
  });
  afterAll(async () => opened?.destroy());
  if (emptied.length > 0) {
    beforeEach(async () => {
      for (const table of emptied) await opened!.query(`DELETE FROM ${table}`);
    });
  }
  return {
    get dataSource(): DataSource {
      if (!opened) throw new Error('the test data source opens in beforeAll; read it inside a hook or a test');
      return opened;
    },
  };
}

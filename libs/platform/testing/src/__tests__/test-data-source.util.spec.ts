import type { DataSource } from 'typeorm';
import { useTestDataSource } from '../test-data-source.util';

function fakeDataSource(): DataSource & { query: jest.Mock; destroy: jest.Mock } {
  return { query: jest.fn(async () => []), destroy: jest.fn(async () => undefined) } as never;
}

describe(useTestDataSource.name, () => {
  describe('before the suite runs', () => {
    const sut = useTestDataSource(async () => fakeDataSource());
    let whileDeclared: unknown;
    try {
      whileDeclared = sut.dataSource;
    } catch (error) {
      whileDeclared = error;
    }

    it('is not readable while the suite is being declared', () => {
      expect(whileDeclared).toEqual(new Error('the test data source opens in beforeAll; read it inside a hook or a test'));
    });

    it('opens the data source once for all the tests of the describe', () => {
      expect(sut.dataSource.query).not.toHaveBeenCalled();
    });
  });

  describe('with tables to empty', () => {
    const opened = fakeDataSource();
    const open = jest.fn(async () => opened);
    const sut = useTestDataSource(open, ['svc.a', 'svc.b']);

    it('deletes the rows of each table before each test', () => {
      expect(sut.dataSource).toBe(opened);
      expect(opened.query.mock.calls).toEqual([['DELETE FROM svc.a'], ['DELETE FROM svc.b']]);
    });

    it('does it again before the next test, on the same data source', () => {
      expect(open).toHaveBeenCalledTimes(1);
      expect(opened.query).toHaveBeenCalledTimes(4);
    });
  });

  describe('after the suite', () => {
    const opened = fakeDataSource();
    describe('a suite that used it', () => {
      useTestDataSource(async () => opened);
      it('runs', () => expect(opened.destroy).not.toHaveBeenCalled());
    });

    it('destroyed the data source', () => {
      expect(opened.destroy).toHaveBeenCalledTimes(1);
    });
  });
});

import { Column, Entity, PrimaryColumn, type DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { openDataSource } from '../../data-source.factory';
import { BIGINT_AS_TEXT } from '../column-transformers.util';
import { keysetPage } from '../keyset-page.util';

class CreateItems1700000000001 implements MigrationInterface {
  name = 'CreateItems1700000000001';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE public.item (seq bigserial PRIMARY KEY, colour text NOT NULL)`);
    await q.query(`INSERT INTO public.item (colour) SELECT CASE WHEN n % 2 = 0 THEN 'red' ELSE 'blue' END FROM generate_series(1, 7) n`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE public.item`);
  }
}

@Entity({ name: 'item' })
class ItemEntity {
  @PrimaryColumn({ type: 'bigint', generated: 'increment', transformer: BIGINT_AS_TEXT }) seq!: string;
  @Column({ type: 'text' }) colour!: string;
}

describe(keysetPage.name, () => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await openDataSource({ database: { kind: 'pglite' }, entities: [ItemEntity], migrations: [CreateItems1700000000001] });
  });
  afterAll(async () => ds?.destroy());
  const items = () => ds.getRepository(ItemEntity).createQueryBuilder('i');

  it('pages newest first, each page continuing where the last ended, the last saying so', async () => {
    const first = await keysetPage(items(), { key: 'seq', order: 'DESC', limit: 3 });
    expect(first.rows.map((r) => r.seq)).toEqual(['7', '6', '5']);
    expect(first.nextCursor).toBe('5');
    const second = await keysetPage(items(), { key: 'seq', order: 'DESC', limit: 3, cursor: first.nextCursor! });
    expect(second.rows.map((r) => r.seq)).toEqual(['4', '3', '2']);
    const last = await keysetPage(items(), { key: 'seq', order: 'DESC', limit: 3, cursor: second.nextCursor! });
    expect(last).toEqual({ rows: [expect.objectContaining({ seq: '1' })], nextCursor: null });
  });

  it('pages oldest first and keeps the query’s own conditions', async () => {
    const page = await keysetPage(items().where('i.colour = :colour', { colour: 'red' }), {
      key: 'seq',
      order: 'ASC',
      limit: 2,
      cursor: '2',
    });
    expect(page).toEqual({
      rows: [
        { seq: '4', colour: 'red' },
        { seq: '6', colour: 'red' },
      ],
      nextCursor: null,
    });
  });

  it('says there is no next page when the rows end exactly at the limit', async () => {
    expect((await keysetPage(items(), { key: 'seq', order: 'ASC', limit: 7 })).nextCursor).toBeNull();
  });

  it('refuses a cursor it did not give and a limit below one', async () => {
    await expect(keysetPage(items(), { key: 'seq', order: 'DESC', limit: 3, cursor: '1 OR 1=1' })).rejects.toThrow(
      'cursor must be the nextCursor of a previous page, got "1 OR 1=1"',
    );
    await expect(keysetPage(items(), { key: 'seq', order: 'DESC', limit: 0 })).rejects.toThrow(
      'page limit must be a whole number of at least 1, got 0',
    );
  });
});

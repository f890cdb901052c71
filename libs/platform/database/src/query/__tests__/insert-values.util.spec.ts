import { Column, Entity, PrimaryColumn, type DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { openDataSource } from '../../data-source.factory';
import { insertValues, updateValues } from '../insert-values.util';

class CreateNotes1700000000003 implements MigrationInterface {
  name = 'CreateNotes1700000000003';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE public.note (id int PRIMARY KEY, body jsonb NOT NULL, tags jsonb NOT NULL DEFAULT '[]'::jsonb)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE public.note`);
  }
}

@Entity({ name: 'note' })
class NoteEntity {
  @PrimaryColumn({ type: 'int' }) id!: number;
  @Column({ type: 'jsonb' }) body!: Record<string, unknown>;
  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" }) tags!: string[];
}

describe('insertValues, updateValues', () => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await openDataSource({ database: { kind: 'pglite' }, entities: [NoteEntity], migrations: [CreateNotes1700000000003] });
  });
  afterAll(async () => ds?.destroy());

  it(
    'inserts typed rows with open jsonb shapes, one or many, SQL expressions among ' + 'them, leaving omitted columns to their defaults',
    async () => {
      const body: Record<string, unknown> = { nested: { list: [1, 'two', null] }, flag: true };
      await ds
        .createQueryBuilder()
        .insert()
        .into(NoteEntity)
        .values(insertValues<NoteEntity>({ id: 1, body }))
        .execute();
      await ds
        .createQueryBuilder()
        .insert()
        .into(NoteEntity)
        .values(
          insertValues<NoteEntity>([
            { id: 2, body: {}, tags: ['a'] },
            { id: 3, body: () => `jsonb_build_object('n', 1 + 2)` },
          ]),
        )
        .execute();
      expect(await ds.getRepository(NoteEntity).find({ order: { id: 'ASC' } })).toEqual([
        { id: 1, body, tags: [] },
        { id: 2, body: {}, tags: ['a'] },
        { id: 3, body: { n: 3 }, tags: [] },
      ]);
    },
  );

  it('sets typed values and SQL expressions in an UPDATE, leaving other columns as they were', async () => {
    const body: Record<string, unknown> = { replaced: [{ deep: true }] };
    await ds.createQueryBuilder().update(NoteEntity).set(updateValues<NoteEntity>({ body })).where({ id: 1 }).execute();
    await ds
      .createQueryBuilder()
      .update(NoteEntity)
      .set(updateValues<NoteEntity>({ tags: () => `tags || '["b"]'::jsonb` }))
      .where({ id: 2 })
      .execute();
    expect(await ds.getRepository(NoteEntity).find({ where: [{ id: 1 }, { id: 2 }], order: { id: 'ASC' } })).toEqual([
      { id: 1, body, tags: [] },
      { id: 2, body: {}, tags: ['a', 'b'] },
    ]);
  });
});

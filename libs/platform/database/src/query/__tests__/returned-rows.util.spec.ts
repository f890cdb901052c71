import { Column, Entity, PrimaryColumn, type DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { openDataSource } from '../../data-source.factory';
import { BIGINT_AS_TEXT, BYTEA_AS_BUFFER } from '../column-transformers.util';
import { returnedEntities } from '../returned-rows.util';

class CreateParcels1700000000002 implements MigrationInterface {
  name = 'CreateParcels1700000000002';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE public.parcel (id bigint PRIMARY KEY, label jsonb NOT NULL, body bytea NOT NULL, sent_at timestamptz)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE public.parcel`);
  }
}

@Entity({ name: 'parcel' })
class ParcelEntity {
  @PrimaryColumn({ type: 'bigint', transformer: BIGINT_AS_TEXT }) id!: string;
  @Column({ type: 'jsonb' }) label!: { to: string };
  @Column({ type: 'bytea', transformer: BYTEA_AS_BUFFER }) body!: Buffer;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt!: Date | null;
}

describe(returnedEntities.name, () => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await openDataSource({ database: { kind: 'pglite' }, entities: [ParcelEntity], migrations: [CreateParcels1700000000002] });
    await ds.getRepository(ParcelEntity).insert({ id: '1', label: { to: 'acme' }, body: Buffer.from('hi'), sentAt: null });
  });
  afterAll(async () => ds?.destroy());

  it('turns the raw rows of UPDATE ... RETURNING into entities, converted as a find converts them', async () => {
    const result = await ds
      .createQueryBuilder()
      .update(ParcelEntity)
      .set({ sentAt: () => `'2025-03-01T09:00:00Z'::timestamptz` })
      .where({ id: '1' })
      .returning('*')
      .execute();
    const [parcel] = returnedEntities(ds.manager, ParcelEntity, result.raw);
    expect(parcel).toBeInstanceOf(ParcelEntity);
    expect(parcel).toEqual({ id: '1', label: { to: 'acme' }, body: Buffer.from('hi'), sentAt: new Date('2025-03-01T09:00:00Z') });
    expect(parcel).toEqual(await ds.getRepository(ParcelEntity).findOneByOrFail({ id: '1' }));
  });

  it('leaves unset what the statement did not return', async () => {
    const result = await ds
      .createQueryBuilder()
      .update(ParcelEntity)
      .set({ label: { to: 'globex' } })
      .where({ id: '1' })
      .returning(['id'])
      .execute();
    expect(returnedEntities(ds.manager, ParcelEntity, result.raw)).toEqual([Object.assign(new ParcelEntity(), { id: '1' })]);
  });

  it('refuses something that is not rows', () => {
    expect(() => returnedEntities(ds.manager, ParcelEntity, 3)).toThrow('expected the rows of a RETURNING clause, got number');
  });
});

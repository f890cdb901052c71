import { Column, Entity, PrimaryColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { openDataSource } from '../../data-source.factory';
import { entitySchemaDrift } from '../entity-schema-drift.util';

class CreateDriftTables1700000000000 implements MigrationInterface {
  name = 'CreateDriftTables1700000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA drift`);
    await q.query(`CREATE TABLE drift.matching (id uuid PRIMARY KEY, n int NOT NULL, at timestamptz, tags text[] NOT NULL DEFAULT '{}')`);
    await q.query(
      `CREATE TABLE drift.drifted (id bigint PRIMARY KEY, code int NOT NULL, kind text NOT NULL, note text, only_in_table int)`,
    );
    await q.query(`CREATE TABLE drift.orphan (id int PRIMARY KEY)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA drift CASCADE`);
  }
}

@Entity({ schema: 'drift', name: 'matching' })
class MatchingEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'int' }) n!: number;
  @Column({ type: 'timestamptz', nullable: true }) at!: Date | null;
  @Column({ type: 'text', array: true }) tags!: string[];
}

@Entity({ schema: 'drift', name: 'drifted' })
class DriftedEntity {
  @PrimaryColumn({ type: 'int' }) id!: number;
  @PrimaryColumn({ type: 'int' }) code!: number;
  @Column({ type: 'text', nullable: true }) kind!: string | null;
  @Column({ type: 'text' }) note!: string;
  @Column({ name: 'only_in_entity', type: 'text' }) onlyInEntity!: string;
}

@Entity({ schema: 'drift', name: 'missing' })
class MissingEntity {
  @PrimaryColumn({ type: 'int' }) id!: number;
}

describe(entitySchemaDrift.name, () => {
  it('finds nothing when every table of the schemas has an entity that maps it column for column', async () => {
    const ds = await openDataSource({
      database: { kind: 'pglite' },
      entities: [MatchingEntity],
      migrations: [CreateDriftTables1700000000000],
    });
    try {
      await ds.query(`DROP TABLE drift.drifted, drift.orphan`);
      expect(await entitySchemaDrift(ds, ['drift'])).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });

  it('names every disagreement: type, nullability, key, a column or table on one side only', async () => {
    const ds = await openDataSource({
      database: { kind: 'pglite' },
      entities: [MatchingEntity, DriftedEntity, MissingEntity],
      migrations: [CreateDriftTables1700000000000],
    });
    try {
      expect(await entitySchemaDrift(ds, ['drift'])).toEqual(
        [
          'MissingEntity maps drift.missing, which the migrations do not create',
          'drift.drifted.code: DriftedEntity.code is part of the primary key, the table says the opposite',
          "drift.drifted.id: DriftedEntity.id is integer, the table's column is bigint",
          "drift.drifted.kind: DriftedEntity.kind is nullable, the table's column is NOT NULL",
          "drift.drifted.note: DriftedEntity.note is NOT NULL, the table's column is nullable",
          'drift.drifted.only_in_entity: DriftedEntity.onlyInEntity maps a column the table does not have',
          'drift.drifted.only_in_table: the table has this column and DriftedEntity does not map it',
          'drift.orphan: no entity registered with the data source maps this table',
        ].sort(),
      );
    } finally {
      await ds.destroy();
    }
  });

  it('compares only the schemas it is given, and refuses to compare none', async () => {
    const ds = await openDataSource({
      database: { kind: 'pglite' },
      entities: [MatchingEntity],
      migrations: [CreateDriftTables1700000000000],
    });
    try {
      expect(await entitySchemaDrift(ds, ['public'])).toEqual([
        'public.migrations: no entity registered with the data source maps this table',
      ]);
      await expect(entitySchemaDrift(ds, [])).rejects.toThrow('entitySchemaDrift needs the schemas whose tables to compare');
    } finally {
      await ds.destroy();
    }
  });
});

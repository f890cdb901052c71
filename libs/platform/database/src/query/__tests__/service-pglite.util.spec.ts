import { Column, Entity, PrimaryColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { sharedMigrations } from '../../persistence/shared.migrations';
import { openServiceDatabase, openServicePglite, serviceSchemaDrift } from '../service-pglite.util';

class CreateToyTable1800000000000 implements MigrationInterface {
  name = 'CreateToyTable1800000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA toy`);
    await q.query(`CREATE TABLE toy.thing (id uuid PRIMARY KEY, n int NOT NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA toy CASCADE`);
  }
}

@Entity({ schema: 'toy', name: 'thing' })
class ThingEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'int' }) n!: number;
}

@Entity({ schema: 'toy', name: 'thing' })
class NullableThingEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'int', nullable: true }) n!: number | null;
}

describe(openServicePglite.name, () => {
  it('opens a PGlite with the shared tables and the service tables, each migration applied in order', async () => {
    const sut = await openServicePglite([ThingEntity], [CreateToyTable1800000000000]);
    try {
      const applied: Array<{ name: string }> = await sut.query(`SELECT name FROM migrations ORDER BY id`);
      expect(applied.map((m) => m.name)).toEqual([...sharedMigrations.map((m) => m.name), 'CreateToyTable1800000000000']);
      expect(await sut.query(`SELECT count(*)::int AS n FROM baton.run_transition`)).toEqual([{ n: 0 }]);
      expect(sut.hasMetadata(ThingEntity)).toBe(true);
    } finally {
      await sut.destroy();
    }
  });
});

describe(openServiceDatabase.name, () => {
  it('leaves the schema alone when told not to migrate, as a replica that is not the owner does', async () => {
    const sut = await openServiceDatabase({ kind: 'pglite' }, [ThingEntity], [CreateToyTable1800000000000], false);
    try {
      expect(await sut.query(`SELECT to_regclass('baton.run_transition') AS shared, to_regclass('toy.thing') AS own`)).toEqual([
        { shared: null, own: null },
      ]);
      expect(sut.hasMetadata(ThingEntity)).toBe(true);
    } finally {
      await sut.destroy();
    }
  });
});

describe(serviceSchemaDrift.name, () => {
  it('finds nothing when the service entities map the tables its migrations leave', async () => {
    expect(await serviceSchemaDrift([ThingEntity], [CreateToyTable1800000000000], 'toy')).toEqual([]);
  });

  it('names each disagreement between the service entities and its migrations', async () => {
    expect(await serviceSchemaDrift([NullableThingEntity], [CreateToyTable1800000000000], 'toy')).toEqual([
      "toy.thing.n: NullableThingEntity.n is nullable, the table's column is NOT NULL",
    ]);
  });
});

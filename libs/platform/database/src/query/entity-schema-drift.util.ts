import type { DataSource } from 'typeorm';

interface TableColumn {
  table_schema: string;
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
}

interface PrimaryKeyColumn {
  table_schema: string;
  table_name: string;
  column_name: string;
}

/**
 * Where the entities registered with `dataSource` and the tables its migrations made disagree, one
 * sentence each (empty when they agree): a table of `schemas` no entity maps, an entity whose
 * table does not exist, a column on one side only, or a column whose type, nullability or place
 * in the primary key differs. The migrations are the schema's source of truth and entities never
 * synchronise it, so this is what keeps the two from drifting apart; run it after migrating.
 */
export async function entitySchemaDrift(dataSource: DataSource, schemas: readonly string[]): Promise<string[]> {
  if (schemas.length === 0) throw new RangeError('entitySchemaDrift needs the schemas whose tables to compare');
  const columns = await dataSource.query<TableColumn[]>(
    `SELECT c.table_schema, c.table_name, c.column_name, c.data_type, c.udt_name, c.is_nullable
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = ANY($1::text[])`,
    [schemas],
  );
  const primaryKeys = await dataSource.query<PrimaryKeyColumn[]>(
    `SELECT k.table_schema, k.table_name, k.column_name
       FROM information_schema.table_constraints tc
       JOIN information_schema.key_column_usage k
         ON k.constraint_schema = tc.constraint_schema AND k.constraint_name = tc.constraint_name AND k.table_name = tc.table_name
      WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = ANY($1::text[])`,
    [schemas],
  );
  const tables = new Map<string, Map<string, TableColumn>>();
  for (const column of columns) {
    const table = `${column.table_schema}.${column.table_name}`;
    if (!tables.has(table)) tables.set(table, new Map());
    tables.get(table)!.set(column.column_name, column);
  }
  const keyOf = new Set(primaryKeys.map((k) => `${k.table_schema}.${k.table_name}.${k.column_name}`));

  const problems: string[] = [];
  const mapped = new Set<string>();
  for (const entity of dataSource.entityMetadatas) {
    const schema = entity.schema ?? 'public';
    if (!schemas.includes(schema)) continue;
    const table = `${schema}.${entity.tableName}`;
    mapped.add(table);
    const actual = tables.get(table);
    if (!actual) {
      problems.push(`${entity.name} maps ${table}, which the migrations do not create`);
      continue;
    }
    const declared = new Set<string>();
    for (const column of entity.columns) {
      declared.add(column.databaseName);
      const where = `${table}.${column.databaseName}`;
      const found = actual.get(column.databaseName);
      if (!found) {
        problems.push(`${where}: ${entity.name}.${column.propertyName} maps a column the table does not have`);
        continue;
      }
      const type = dataSource.driver.normalizeType(column);
      const tableType = found.data_type === 'ARRAY' ? `${found.udt_name.replace(/^_/, '')}[]` : found.data_type;
      const entityType = column.isArray ? `${udtOf(type)}[]` : type;
      if (entityType !== tableType)
        problems.push(`${where}: ${entity.name}.${column.propertyName} is ${entityType}, the table's column is ${tableType}`);
      const nullable = found.is_nullable === 'YES';
      if (column.isNullable !== nullable) {
        problems.push(
          `${where}: ${entity.name}.${column.propertyName} is ${column.isNullable ? 'nullable' : 'NOT NULL'}, the table's column ` +
            `is ${nullable ? 'nullable' : 'NOT NULL'}`,
        );
      }
      if (column.isPrimary !== keyOf.has(where)) {
        problems.push(
          `${where}: ${entity.name}.${column.propertyName} is ${column.isPrimary ? '' : 'not '}part of the primary key, the table ` +
            `says the opposite`,
        );
      }
    }
    for (const name of actual.keys()) {
      if (!declared.has(name)) problems.push(`${table}.${name}: the table has this column and ${entity.name} does not map it`);
    }
  }
  for (const table of tables.keys()) {
    if (!mapped.has(table)) problems.push(`${table}: no entity registered with the data source maps this table`);
  }
  return problems.sort();
}

/** Array element types as information_schema's udt_name spells them. */
function udtOf(type: string): string {
  const short: Record<string, string> = { integer: 'int4', bigint: 'int8', text: 'text', uuid: 'uuid', boolean: 'bool' };
  return short[type] ?? type;
}

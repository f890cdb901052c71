import { IngestionException } from '../../ingestion.exception';
import { debeziumMessage } from '../change-feed.producer';
import { changedOf, orgOf, parseDebeziumChange, payloadOf, positionOf, tableMatches } from '../debezium-change.util';

const source = {
  version: '2.7.0.Final',
  connector: 'postgresql',
  name: 'crmdb',
  db: 'crm',
  schema: 'public',
  table: 'customers',
  ts_ms: 1_700_000_000_000,
  lsn: 24023128,
};
const before = { id: 'cus_1', orgId: 'acme', name: 'Initech', tier: 'enterprise' };
const after = { ...before, tier: 'pro' };
const message = { topic: 'crmdb.public.customers', partition: 0, offset: '42' };

describe(parseDebeziumChange.name, () => {
  it('reads the JSON converter envelope and the unwrapped form alike', () => {
    const payload = { before, after, op: 'u', source, ts_ms: 1_700_000_000_100 };
    const expected = { op: 'u', before, after, source, tsMs: 1_700_000_000_100 };

    expect(parseDebeziumChange({ schema: { type: 'struct' }, payload })).toEqual(expected);
    expect(parseDebeziumChange(payload)).toEqual(expected);
  });

  it('names every problem of a message that is no change event', () => {
    const error = (() => {
      try {
        parseDebeziumChange({ payload: { op: 'x', before: 'row', source: {} } });
      } catch (e) {
        return e as IngestionException;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(IngestionException);
    expect(error?.message).toBe(
      'invalid change event: /payload/op must be one of c, u, d, r; /payload/before must be an object or null; ' +
        '/payload/source/table is required and must be a non-empty string',
    );
    expect(() => parseDebeziumChange({ op: 'd', before: null, after: null, source })).toThrow('/before is required when op is d');
    expect(() => parseDebeziumChange([1])).toThrow('(body) must be a JSON object');
  });
});

describe('change filters', () => {
  const change = parseDebeziumChange({ before, after, op: 'u', source });

  it('matches the table bare or qualified by schema or database', () => {
    expect(['customers', 'public.customers', 'crm.customers'].map((t) => tableMatches(t, change))).toEqual([true, true, true]);
    expect(['leads', 'other.customers'].map((t) => tableMatches(t, change))).toEqual([false, false]);
  });

  it('lists the changed fields, dotted paths included; an update without `before` counts every field it carries', () => {
    expect(changedOf(change, ['tier', 'name'])).toEqual(['tier']);
    const nested = parseDebeziumChange({ op: 'u', source, before: { company: { employees: 5 } }, after: { company: { employees: 6 } } });
    expect(changedOf(nested, ['company.employees', 'company.name'])).toEqual(['company.employees']);
    expect(changedOf(parseDebeziumChange({ op: 'u', source, before: null, after }), ['tier', 'missing'])).toEqual(['tier']);
    expect(changedOf(parseDebeziumChange({ op: 'c', source, after }), ['tier'])).toEqual(['tier']);
  });

  it('gives the run a payload with the change, the changed fields and the commit time', () => {
    expect(payloadOf(change, 'cus_1')).toEqual({
      op: 'u',
      system: 'crmdb',
      table: 'customers',
      key: 'cus_1',
      before,
      after,
      changed: ['tier'],
      committedAt: '2023-11-14T22:13:20.000Z',
    });
    expect(orgOf(change)).toBe('acme');
    expect(orgOf(parseDebeziumChange({ op: 'd', source, before: { org_id: 'globex' } }))).toBe('globex');
  });

  it('keys deduplication on the log position, so a re-sent change is the same change; the message position only without one', () => {
    expect(positionOf(change, 'cus_1', message)).toBe('crm.public.customers@lsn:24023128:u:cus_1');
    expect(positionOf(change, 'cus_1', { ...message, offset: '43' })).toBe(positionOf(change, 'cus_1', message));
    const mysql = parseDebeziumChange({
      op: 'u',
      before,
      after,
      source: { db: 'crm', table: 'customers', file: 'binlog.000003', pos: 154, row: 1 },
    });
    expect(positionOf(mysql, 'k', message)).toBe('crm.customers@binlog:binlog.000003:154:1:u:k');
    const bare = parseDebeziumChange({ op: 'u', before, after, source: { table: 'customers' } });
    expect(positionOf(bare, 'k', message)).toBe('crmdb.public.customers/0/42');
  });
});

describe(debeziumMessage.name, () => {
  it('publishes a sample system write as Kafka Connect would, keyed by the record', () => {
    const sut = debeziumMessage(
      { system: 'crm', table: 'customers', recordId: 'cus_1', op: 'u', before, after, at: '2025-01-01T00:00:00.000Z', runId: 'r-1' },
      '1735689600000000',
    );

    expect(sut).toMatchObject({ topic: 'baton.changes.crm', key: 'cus_1' });
    const change = parseDebeziumChange(JSON.parse(sut.value.toString()));
    expect(change).toMatchObject({
      op: 'u',
      before,
      after,
      source: { name: 'crm', table: 'customers', ts_ms: 1735689600000, lsn: '1735689600000000', baton_run_id: 'r-1' },
    });
    expect(positionOf(change, sut.key, message)).toBe('crm.customers@lsn:1735689600000000:u:cus_1');
  });
});

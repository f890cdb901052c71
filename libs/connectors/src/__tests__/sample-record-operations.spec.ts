import { SampleSystem, type RecordChange } from '../index';
import type { SampleOperation } from '../sample/sample-system.base';
import { rejection } from '../../test/connector-rejection.util';

const NOW = new Date('2025-03-01T12:00:00.000Z');

interface Thing {
  thingId: string;
  owner: string;
  status: 'open' | 'closed';
  closedAt?: string;
  orgId: string | null;
}

/** A system of one table whose operations are all made by the record makers of the base. */
class ThingSystem extends SampleSystem<{ things: Record<string, Thing> }> {
  readonly ended: string[] = [];

  protected readonly operationDefinitions: readonly SampleOperation[] = [
    this.readById('getThing', 'A thing by id.', 'things', 'thingId'),
    this.movingOperation({
      name: 'moveThing',
      readBack: 'getThing',
      description: 'Gives a thing to another owner.',
      table: 'things',
      record: 'thing',
      idArg: 'thingId',
      field: 'owner',
      previous: 'previousOwner',
      refusedIn: 'closed',
      honoursIdempotencyKey: true,
    }),
    this.endingOperation({
      name: 'closeThing',
      readBack: 'getThing',
      description: 'Closes a thing.',
      table: 'things',
      idArg: 'thingId',
      status: 'closed',
      stampedAt: 'closedAt',
      onEnded: (thing) => this.ended.push(thing.thingId),
    }),
  ];

  constructor() {
    super(
      'things',
      () => ({
        things: {
          t1: { thingId: 't1', owner: 'ann', status: 'open', orgId: 'acme' },
          t2: { thingId: 't2', owner: 'bob', status: 'open', orgId: 'globex' },
        },
      }),
      { now: () => NOW },
    );
  }
}

describe('record operations of a sample system', () => {
  let sut: ThingSystem;
  let changes: RecordChange[];

  beforeEach(() => {
    sut = new ThingSystem();
    changes = [];
    sut.onChange((change) => changes.push(change));
  });

  it('declares a read by id, a move that is its own compensation, and an ending, each with its arguments', () => {
    const [get, move, close] = sut.operations;

    expect(get).toEqual({ name: 'getThing', kind: 'read', description: 'A thing by id.', args: { thingId: 'required' } });
    expect(move).toEqual({
      name: 'moveThing',
      kind: 'write',
      readBack: 'getThing',
      description: 'Gives a thing to another owner.',
      compensation: 'moveThing',
      compensationArgs: expect.any(Function),
      args: { thingId: 'required', owner: 'required' },
      honoursIdempotencyKey: true,
    });
    expect(Object.keys(move!)).toEqual([
      'name',
      'kind',
      'readBack',
      'description',
      'compensation',
      'compensationArgs',
      'args',
      'honoursIdempotencyKey',
    ]);
    expect(close).toEqual({
      name: 'closeThing',
      kind: 'write',
      readBack: 'getThing',
      description: 'Closes a thing.',
      args: { thingId: 'required' },
    });
  });

  it('reads the record an id names, refusing an unknown one and another organisation’s', async () => {
    expect(await sut.call('getThing', { thingId: 't1' }, { orgId: 'acme' })).toEqual(expect.objectContaining({ owner: 'ann' }));
    expect(await rejection(sut.call('getThing', { thingId: 't9' }))).toMatchObject({ code: 'not_found' });
    expect(await rejection(sut.call('getThing', { thingId: 't2' }, { orgId: 'acme' }))).toMatchObject({ code: 'wrong_organisation' });
  });

  it('moves a record and answers the value it had, which moves it back as the compensation', async () => {
    const moved = await sut.call('moveThing', { thingId: 't1', owner: 'cy' });

    expect(moved).toEqual({ thing: expect.objectContaining({ thingId: 't1', owner: 'cy' }), previousOwner: 'ann' });
    const undo = sut.operations[1]!.compensationArgs!(moved);
    expect(undo).toEqual({ thingId: 't1', owner: 'ann' });
    await sut.call('moveThing', undo!);
    expect(await sut.call('getThing', { thingId: 't1' })).toMatchObject({ owner: 'ann' });
    expect(sut.effects().moveThing).toBe(2);
  });

  it('changes nothing when a record is moved where it already is', async () => {
    expect(await sut.call('moveThing', { thingId: 't1', owner: 'ann' })).toMatchObject({ previousOwner: 'ann' });
    expect(changes).toEqual([]);
    expect(sut.effects().moveThing).toBe(0);
  });

  it('ends a record once, stamping when, and refuses to move it afterwards', async () => {
    const closed = await sut.call('closeThing', { thingId: 't1' });
    const again = await sut.call('closeThing', { thingId: 't1' });

    expect(closed).toEqual({ thingId: 't1', owner: 'ann', status: 'closed', closedAt: NOW.toISOString(), orgId: 'acme' });
    expect(again).toEqual(closed);
    expect(changes).toHaveLength(1);
    expect(sut.ended).toEqual(['t1']);
    expect(sut.effects().closeThing).toBe(1);
    const error = await rejection(sut.call('moveThing', { thingId: 't1', owner: 'cy' }));
    expect(error).toMatchObject({ failureClass: 'data', code: 'invalid_state' });
    expect(error.message).toContain('"t1" is closed');
  });
});

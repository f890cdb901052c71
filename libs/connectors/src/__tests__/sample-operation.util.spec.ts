import { readOperation, writeOperation } from '../sample/sample-operation.util';

describe(readOperation.name, () => {
  it('makes a read spec from its name, description and arguments, with the code that answers it', () => {
    const run = () => 'answer';

    const sut = readOperation('getLead', 'A lead by id.', { leadId: 'required' }, run);

    expect(sut.spec).toEqual({ name: 'getLead', kind: 'read', description: 'A lead by id.', args: { leadId: 'required' } });
    expect(Object.keys(sut.spec)).toEqual(['name', 'kind', 'description', 'args']);
    expect(sut.run).toBe(run);
  });
});

describe(writeOperation.name, () => {
  it('makes a write spec of everything given, name and kind first', () => {
    const run = () => 'done';
    const compensationArgs = () => undefined;

    const sut = writeOperation(
      {
        name: 'createLead',
        readBack: 'getLead',
        description: 'Creates a lead.',
        compensation: 'retractLead',
        compensationArgs,
        args: { email: 'required' },
        honoursIdempotencyKey: true,
      },
      run,
    );

    expect(sut.spec).toEqual({
      name: 'createLead',
      kind: 'write',
      readBack: 'getLead',
      description: 'Creates a lead.',
      compensation: 'retractLead',
      compensationArgs,
      args: { email: 'required' },
      honoursIdempotencyKey: true,
    });
    expect(Object.keys(sut.spec).slice(0, 3)).toEqual(['name', 'kind', 'readBack']);
    expect(sut.run).toBe(run);
  });
});

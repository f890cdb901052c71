import { rowView } from '../row-view.util';

describe(rowView.name, () => {
  const row = {
    id: 'a1',
    createdAt: new Date(Date.UTC(2025, 2, 1, 9, 0, 0, 5)),
    resolvedAt: null as Date | null,
    detail: { note: 'kept' },
    payload: Buffer.from('x'),
    secret: 'not shown',
  };

  it('shows the named columns in the order given, instants as ISO text and null as null', () => {
    const view = rowView(row, ['resolvedAt', 'id', 'createdAt', 'detail', 'payload']);

    expect(view).toEqual({
      resolvedAt: null,
      id: 'a1',
      createdAt: '2025-03-01T09:00:00.005Z',
      detail: { note: 'kept' },
      payload: Buffer.from('x'),
    });
    expect(Object.keys(view)).toEqual(['resolvedAt', 'id', 'createdAt', 'detail', 'payload']);
    expect(view.detail).toBe(row.detail);
  });

  it('types instants as text, a nullable one as text or null', () => {
    const view: { createdAt: string; resolvedAt: string | null; id: string } = rowView(row, ['createdAt', 'resolvedAt', 'id']);

    expect(view).not.toHaveProperty('secret');
  });

  it('refuses an invalid Date as isoOf does', () => {
    expect(() => rowView({ at: new Date('nonsense') }, ['at'])).toThrow('expected a valid Date, got an invalid Date');
  });
});

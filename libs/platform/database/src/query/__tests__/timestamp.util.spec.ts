import { instantOf, instantOrNull, isoOf, isoOrNull } from '../timestamp.util';

describe('timestamps (Date ↔ ISO string)', () => {
  it('shows an instant as UTC ISO-8601 with milliseconds', () => {
    expect(isoOf(new Date(Date.UTC(2025, 2, 1, 9, 0, 0, 5)))).toBe('2025-03-01T09:00:00.005Z');
    expect(isoOrNull(new Date('2025-03-01T10:00:00+01:00'))).toBe('2025-03-01T09:00:00.000Z');
  });

  it('keeps null (and a column left out) as null', () => {
    expect(isoOrNull(null)).toBeNull();
    expect(isoOrNull(undefined)).toBeNull();
    expect(instantOrNull(null, 'deadline')).toBeNull();
  });

  it('refuses an invalid Date instead of showing "Invalid Date"', () => {
    expect(() => isoOf(new Date('nonsense'))).toThrow('expected a valid Date, got an invalid Date');
  });

  it('reads an ISO instant with its offset back to the same instant', () => {
    expect(instantOf('2025-03-01T10:00:00+01:00', 'deadline').getTime()).toBe(Date.UTC(2025, 2, 1, 9));
    expect(instantOf('2025-03-01T09:00:00.123456Z', 'deadline').toISOString()).toBe('2025-03-01T09:00:00.123Z');
    expect(isoOf(instantOf('2025-03-01T09:00Z', 'at'))).toBe('2025-03-01T09:00:00.000Z');
  });

  it('refuses text that is not an instant, naming the field', () => {
    expect(() => instantOf('tomorrow', 'deadline')).toThrow('deadline must be an ISO-8601 instant with an offset, got "tomorrow"');
    // Without an offset the instant would depend on the server's time zone.
    expect(() => instantOf('2025-03-01T09:00:00', 'autoApproveAt')).toThrow(
      'autoApproveAt must be an ISO-8601 instant with an offset, got "2025-03-01T09:00:00"',
    );
    expect(() => instantOf('2025-13-01T09:00:00Z', 'deadline')).toThrow('deadline is not a date that exists, got "2025-13-01T09:00:00Z"');
  });
});

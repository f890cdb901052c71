import { compensateById, compensateByPrevious } from '../sample/compensation.util';

describe(compensateById.name, () => {
  const sut = compensateById('refundId');

  it('names the record the write answered with by the same argument', () => {
    expect(sut({ refundId: 're_1001', amount: 20 })).toEqual({ refundId: 're_1001' });
  });

  it('gives nothing when the answer lacks the id, so the write cannot be reverted', () => {
    expect(sut({ amount: 20 })).toBeUndefined();
    expect(sut({ refundId: 1001 })).toBeUndefined();
    expect(sut(null)).toBeUndefined();
    expect(sut(undefined)).toBeUndefined();
  });
});

describe(compensateByPrevious.name, () => {
  const sut = compensateByPrevious('lead', 'leadId', 'previousOwnerTeam', 'ownerTeam');

  it('moves the record back to the value it had before the write', () => {
    expect(sut({ lead: { leadId: 'lead_1001', ownerTeam: 'sales' }, previousOwnerTeam: 'support' })).toEqual({
      leadId: 'lead_1001',
      ownerTeam: 'support',
    });
  });

  it('gives nothing when the answer lacks the record id or the previous value', () => {
    expect(sut({ lead: { ownerTeam: 'sales' }, previousOwnerTeam: 'support' })).toBeUndefined();
    expect(sut({ lead: { leadId: 'lead_1001' } })).toBeUndefined();
    expect(sut({ previousOwnerTeam: 'support' })).toBeUndefined();
    expect(sut(null)).toBeUndefined();
  });
});

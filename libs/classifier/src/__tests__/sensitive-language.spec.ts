import { detectSensitiveLanguage } from '../index';

describe(detectSensitiveLanguage.name, () => {
  it('flags legal language and escalated complaints with what matched', () => {
    expect(detectSensitiveLanguage('If this is not fixed my lawyer will be in touch')).toEqual([{ category: 'legal', text: 'lawyer' }]);
    expect(detectSensitiveLanguage('This is unacceptable, I want to file a formal complaint')).toEqual([
      { category: 'complaint', text: 'unacceptable' },
      { category: 'complaint', text: 'formal complaint' },
    ]);
    expect(detectSensitiveLanguage('I will take you to COURT')).toEqual([{ category: 'legal', text: 'COURT' }]);
  });

  it('leaves ordinary requests alone, including words that merely contain a trigger', () => {
    expect(detectSensitiveLanguage('Damaged item, please refund. Delivery was late.')).toEqual([]);
    expect(detectSensitiveLanguage('Is the courtesy credit applied? Sue-Ellen from accounts asked.')).toEqual([]);
  });
});

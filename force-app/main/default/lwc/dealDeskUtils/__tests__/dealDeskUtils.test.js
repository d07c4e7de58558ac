import { reduceErrors, errorMessage, formatDuration, formatPercent, sameRecordId } from 'c/dealDeskUtils';

describe('c-deal-desk-utils', () => {
  describe('reduceErrors', () => {
    it('reads Apex, UI API, page and JavaScript errors', () => {
      expect(reduceErrors({ body: { message: 'Apex said no' } })).toEqual(['Apex said no']);
      expect(reduceErrors({ body: [{ message: 'one' }, { message: 'two' }] })).toEqual(['one', 'two']);
      expect(reduceErrors({ body: { pageErrors: [{ message: 'page' }] } })).toEqual(['page']);
      expect(reduceErrors(new Error('boom'))).toEqual(['boom']);
      expect(reduceErrors({ statusText: 'Bad Request' })).toEqual(['Bad Request']);
      expect(reduceErrors([null, { body: { message: 'kept' } }])).toEqual(['kept']);
    });

    it('returns nothing for no error', () => {
      expect(reduceErrors(undefined)).toEqual([]);
    });
  });

  describe('errorMessage', () => {
    it('joins the messages', () => {
      expect(errorMessage({ body: [{ message: 'one.' }, { message: 'two.' }] })).toBe('one. two.');
    });

    it('falls back to a generic message', () => {
      expect(errorMessage(null)).toBe('Something went wrong.');
    });
  });

  describe('formatDuration', () => {
    it.each([
      [850, '850 ms'],
      [4200, '4.2 s'],
      [185000, '3 min 5 s'],
      [120000, '2 min'],
      [7800000, '2 h 10 min'],
      [7200000, '2 h'],
      [-5, '0 ms'],
    ])('formats %p ms as %p', (ms, label) => {
      expect(formatDuration(ms)).toBe(label);
    });

    it('leaves unknown durations empty', () => {
      expect(formatDuration(null)).toBe('');
      expect(formatDuration(undefined)).toBe('');
      expect(formatDuration('soon')).toBe('');
    });
  });

  describe('formatPercent', () => {
    it('formats percentages of 0-100', () => {
      expect(formatPercent(87.5)).toBe('87.5%');
      expect(formatPercent(64)).toBe('64%');
      expect(formatPercent(4.67)).toBe('4.67%');
      expect(formatPercent(33.333)).toBe('33.33%');
      expect(formatPercent(null)).toBe('');
    });
  });

  describe('sameRecordId', () => {
    it('compares 15- and 18-character Ids', () => {
      expect(sameRecordId('a0EDd000001Dc1I', 'a0EDd000001Dc1IAC')).toBe(true);
      expect(sameRecordId('a0EDd000001Dc1IAC', 'a0EDd000001Dc2IAC')).toBe(false);
      expect(sameRecordId(null, 'a0EDd000001Dc2IAC')).toBe(false);
    });
  });
});

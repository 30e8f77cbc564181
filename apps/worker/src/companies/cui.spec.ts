import { normalizeCui } from './cui';

describe('normalizeCui', () => {
  it.each([
    ['14837428', '14837428'],
    ['RO14837428', '14837428'],
    [' ro 14837428 ', '14837428'],
    ['RO 148 374 28', '14837428'],
  ])('accepts %p', (input, expected) => {
    expect(normalizeCui(input)).toBe(expected);
  });

  it.each(['14837427', '14837429', '1', '12345678901', 'ABC', '', 'RO', '1483742a'])('rejects %p', (input) => {
    expect(normalizeCui(input)).toBeUndefined();
  });

  it('maps a control value of 10 to 0', () => {
    // Brute-force a body whose weighted sum gives 10 and check the 0 control digit is accepted.
    for (let n = 10; n < 100000; n++) {
      const body = String(n).padStart(9, '0');
      const sum = [...body].reduce((a, d, i) => a + Number(d) * [7, 5, 3, 2, 1, 7, 5, 3, 2][i], 0);
      if ((sum * 10) % 11 === 10) {
        expect(normalizeCui(`${n}0`)).toBe(`${n}0`);
        expect(normalizeCui(`${n}1`)).toBeUndefined();
        return;
      }
    }
    throw new Error('no body with control 10 found');
  });
});

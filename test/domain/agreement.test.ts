import { describe, expect, it } from 'vitest';
import { cohensKappa, kappaOfPairs, krippendorffAlpha, percentAgreement, unitDisagreement, type Unit } from '../../src/domain/agreement.js';

/**
 * Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four observers, twelve
 * units, values 1 to 5, some missing (null). The paper's results: nominal 0.743, interval 0.849.
 */
const KRIPPENDORFF_2011 = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
  [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
];

function unitsOf(matrix: (number | string | null)[][]): Unit[] {
  return matrix[0]!.map((_, u) => ({
    ratings: matrix.flatMap((row, observer) => (row[u] === null || row[u] === undefined ? [] : [{ reviewer: `o${observer}`, value: row[u]! }])),
  }));
}

describe('agreement', () => {
  it("reproduces Krippendorff's 2011 worked example: alpha nominal 0.743, interval 0.849", () => {
    const units = unitsOf(KRIPPENDORFF_2011);
    expect(krippendorffAlpha(units, 'nominal')).toBeCloseTo(0.743, 3);
    expect(krippendorffAlpha(units, 'interval')).toBeCloseTo(0.849, 3);
  });

  it('reproduces the textbook kappa example: 50 items, 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: p_o 0.7, p_e 0.5, kappa 0.4', () => {
    const pairs: [string, string][] = [
      ...Array.from({ length: 20 }, () => ['yes', 'yes'] as [string, string]),
      ...Array.from({ length: 5 }, () => ['yes', 'no'] as [string, string]),
      ...Array.from({ length: 10 }, () => ['no', 'yes'] as [string, string]),
      ...Array.from({ length: 15 }, () => ['no', 'no'] as [string, string]),
    ];
    expect(kappaOfPairs(pairs)).toBeCloseTo(0.4, 10);
    const units: Unit[] = pairs.map(([a, b]) => ({
      ratings: [
        { reviewer: 'A', value: a },
        { reviewer: 'B', value: b },
      ],
    }));
    expect(cohensKappa(units)).toBeCloseTo(0.4, 10);
    expect(percentAgreement(units)).toBeCloseTo(0.7, 10);
    // With two reviewers and no missing values, nominal alpha is kappa's close cousin (Scott’s pi corrected for sample size): 15 items disagree, each two ordered pairs.
    expect(krippendorffAlpha(units, 'nominal')).toBeCloseTo(1 - (99 * 30) / (2 * 55 * 45), 10);
  });

  it('answers null where a figure is undefined, and measures disagreement per item', () => {
    expect(krippendorffAlpha([{ ratings: [{ reviewer: 'a', value: 1 }] }], 'nominal')).toBeNull();
    const same: Unit[] = [
      {
        ratings: [
          { reviewer: 'a', value: 1 },
          { reviewer: 'b', value: 1 },
        ],
      },
    ];
    expect(krippendorffAlpha(same, 'interval')).toBeNull();
    expect(cohensKappa(same)).toBeNull();
    expect(percentAgreement(same)).toBe(1);
    expect(
      cohensKappa([
        {
          ratings: [
            { reviewer: 'a', value: 1 },
            { reviewer: 'b', value: 1 },
            { reviewer: 'c', value: 2 },
          ],
        },
      ]),
    ).toBeNull();
    expect(
      unitDisagreement(
        {
          ratings: [
            { reviewer: 'a', value: 1 },
            { reviewer: 'b', value: 4 },
          ],
        },
        'interval',
      ),
    ).toBe(9);
    expect(
      unitDisagreement(
        {
          ratings: [
            { reviewer: 'a', value: 'x' },
            { reviewer: 'b', value: 'x' },
            { reviewer: 'c', value: 'y' },
          ],
        },
        'nominal',
      ),
    ).toBeCloseTo(4 / 6, 10);
  });
});

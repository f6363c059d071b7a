// jstat ships no type declarations; these are the parts evalstore uses.
declare module 'jstat' {
  export const jStat: {
    studentt: {
      cdf(x: number, degreesOfFreedom: number): number;
      inv(p: number, degreesOfFreedom: number): number;
    };
  };
}

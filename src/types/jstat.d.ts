// jstat ships no type declarations; these are the parts evalstore uses. The package is CommonJS whose
// module.exports is the jStat object itself, so it is the default import.
declare module 'jstat' {
  const jStat: {
    studentt: {
      cdf(x: number, degreesOfFreedom: number): number;
      inv(p: number, degreesOfFreedom: number): number;
    };
  };
  export default jStat;
}

// Erlang C staffing, checked against independent computations: the textbook formula with plain
// factorials for small cases, exact BigInt sums for large ones, and published reference values.
import { describe, expect, test } from 'vitest';
import { agentsNeeded, averageSpeedOfAnswer, erlangC, occupancy, serviceLevel, trafficErlangs } from '../server/domain/routing/erlang-c.js';

// Textbook: C = (A^N/N! · N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N! · N/(N−A)). Fine for small N in doubles.
function textbookErlangC(n: number, a: number): number {
  let sum = 0;
  let term = 1; // A^k / k!
  for (let k = 0; k < n; k++) {
    sum += term;
    term = (term * a) / (k + 1);
  }
  const top = (term * n) / (n - a);
  return top / (sum + top);
}

// Exact for whole A: multiply through by N!·(N−A) so every term is an integer, then divide once.
function exactErlangC(n: number, a: number): number {
  const [N, A] = [BigInt(n), BigInt(a)];
  const factorials = [1n];
  for (let k = 1n; k <= N; k++) factorials.push(factorials[factorials.length - 1]! * k);
  const nFactorial = factorials[n]!;
  let sum = 0n;
  for (let k = 0; k < n; k++) sum += (A ** BigInt(k) * nFactorial) / factorials[k]!;
  const top = A ** N * N;
  const scale = 10n ** 30n;
  return Number((top * scale) / ((N - A) * sum + top)) / 1e30;
}

describe('erlangC', () => {
  // The classic worked example: 100 calls per 30 minutes at 180 s AHT is A = 10 Erlangs.
  test.each([
    [11, 0.6821],
    [12, 0.4494],
    [13, 0.2853],
    [14, 0.1741],
    [15, 0.102],
  ])('A = 10, N = %i: published P(wait) %f', (n, published) => {
    expect(erlangC(n, 10)).toBeCloseTo(published, 4);
    expect(erlangC(n, 10)).toBeCloseTo(textbookErlangC(n, 10), 12);
  });

  test.each([
    ['M/M/1: P(wait) = ρ', 1, 0.5, 0.5],
    ['M/M/1 busy', 1, 0.9, 0.9],
    ['M/M/2: A²/(2+A)', 2, 1, 1 / 3],
    ['M/M/2 busy', 2, 1.8, 1.8 ** 2 / 3.8],
    ['fractional traffic', 5, 2.5, textbookErlangC(5, 2.5)],
    ['light traffic', 20, 2, textbookErlangC(20, 2)],
  ])('%s', (_name, n, a, expected) => expect(erlangC(n, a)).toBeCloseTo(expected, 12));

  test.each([
    [11, 10],
    [15, 10],
    [55, 50],
    [110, 100],
    [230, 200],
    [1040, 1000],
    [1100, 1000],
  ])('N = %i, A = %i matches the exact BigInt sum', (n, a) => {
    const exact = exactErlangC(n, a);
    expect(Math.abs(erlangC(n, a) - exact) / exact).toBeLessThan(1e-10);
  });

  test.each([
    ['no traffic: nobody waits', 3, 0, 0],
    ['no agents: everyone waits', 0, 2, 1],
    ['agents equal to traffic: unstable, everyone waits', 10, 10, 1],
    ['fewer agents than traffic', 8, 10, 1],
    ['thousands of agents far above traffic: tiny but finite', 5000, 4000, erlangC(5000, 4000)],
  ])('%s', (_name, n, a, expected) => {
    const c = erlangC(n, a);
    expect(c).toBe(expected);
    expect(Number.isFinite(c) && c >= 0 && c <= 1).toBe(true);
  });

  test.each([
    ['fractional agents', 2.5, 1],
    ['negative agents', -1, 1],
    ['negative traffic', 3, -1],
    ['NaN traffic', 3, NaN],
  ])('rejects %s', (_name, n, a) => expect(() => erlangC(n, a)).toThrow(RangeError));
});

describe('serviceLevel, averageSpeedOfAnswer, occupancy', () => {
  const lambda = 100 / 1800; // 100 calls per 30 min
  test.each([
    // Published for the classic example (80/20): 13 agents reach 79.6 %, 14 agents 88.8 %.
    [11, 0.3896, 122.78],
    [12, 0.6402, 40.44],
    [13, 0.7956, 17.12],
    [14, 0.8884, 7.84],
    [15, 0.9415, 3.67],
  ])('classic example, %i agents: service level %f, ASA %f s', (n, sl, asa) => {
    expect(serviceLevel(n, lambda, 180, 20)).toBeCloseTo(sl, 4);
    expect(serviceLevel(n, lambda, 180, 20)).toBeCloseTo(1 - textbookErlangC(n, 10) * Math.exp((-(n - 10) * 20) / 180), 12);
    expect(averageSpeedOfAnswer(n, lambda, 180)).toBeCloseTo(asa, 2);
    expect(occupancy(n, lambda, 180)).toBeCloseTo(10 / n, 12);
  });

  test.each([
    ['threshold 0: the share answered at once', 13, lambda, 180, 0, 1 - erlangC(13, 10)],
    ['no arrivals: all in service level', 5, 0, 180, 20, 1],
    ['too few agents: 0', 10, lambda, 180, 20, 0],
    ['no agents: 0', 0, lambda, 180, 20, 0],
  ])('service level, %s', (_name, n, l, aht, threshold, expected) => expect(serviceLevel(n, l, aht, threshold)).toBeCloseTo(expected, 12));

  test.each([
    ['no arrivals', 5, 0, 0],
    ['unstable queue', 10, lambda, Infinity],
  ])('average speed of answer, %s', (_name, n, l, expected) => expect(averageSpeedOfAnswer(n, l, 180)).toBe(expected));

  test.each([
    ['no arrivals', 5, 0, 0],
    ['no agents but traffic', 0, lambda, 1],
    ['overloaded is capped at 1', 5, lambda, 1],
    ['half busy', 20, lambda, 0.5],
  ])('occupancy, %s', (_name, n, l, expected) => expect(occupancy(n, l, 180)).toBeCloseTo(expected, 12));

  test('traffic in Erlangs', () => expect(trafficErlangs(100 / 1800, 180)).toBeCloseTo(10, 12));
});

describe('agentsNeeded', () => {
  const classic = { arrivalsPerSecond: 100 / 1800, ahtSeconds: 180, thresholdSeconds: 20, target: 0.8 };
  test.each([
    ['the classic 80/20 example needs 14', classic, 14],
    ['a looser 70/20 needs 13', { ...classic, target: 0.7 }, 13],
    ['90/20 needs 15', { ...classic, target: 0.9 }, 15],
    ['target 0: just above the traffic', { ...classic, target: 0 }, 11],
    ['fractional traffic 10.5: at least 11', { ...classic, arrivalsPerSecond: 10.5 / 180, target: 0 }, 11],
    ['max occupancy 70 % needs ceil(10 / 0.7) = 15', { ...classic, maxOccupancy: 0.7 }, 15],
    ['max occupancy 80 % is already met by the service level', { ...classic, maxOccupancy: 0.8 }, 14],
    // 0.07 × 100 is 7.000000000000001 in floating point; 10 agents must still count as 70 %.
    [
      '7 Erlangs at max 70 % occupancy: exactly 10',
      { ...classic, arrivalsPerSecond: 0.07, ahtSeconds: 100, target: 0, maxOccupancy: 0.7 },
      10,
    ],
    ['no arrivals: nobody', { ...classic, arrivalsPerSecond: 0 }, 0],
    ['20 calls per hour at 3 minutes AHT (1 Erlang), 80/20', { ...classic, arrivalsPerSecond: 20 / 3600 }, 3],
  ])('%s', (_name, input, expected) => expect(agentsNeeded(input)).toBe(expected));

  // The answer is the smallest that works: one agent fewer misses the target.
  test.each([
    [0.5, 60, 10, 0.8],
    [2, 300, 20, 0.8],
    [1000 / 180, 180, 20, 0.8],
    [5000 / 300, 300, 30, 0.95],
  ])('minimal for %f arrivals/s, AHT %i s, %i s at %f', (arrivalsPerSecond, ahtSeconds, thresholdSeconds, target) => {
    const n = agentsNeeded({ arrivalsPerSecond, ahtSeconds, thresholdSeconds, target });
    expect(serviceLevel(n, arrivalsPerSecond, ahtSeconds, thresholdSeconds)).toBeGreaterThanOrEqual(target);
    expect(serviceLevel(n - 1, arrivalsPerSecond, ahtSeconds, thresholdSeconds)).toBeLessThan(target);
  });

  test('1,000 Erlangs returns a sensible number (performance sanity, no timing assert)', () => {
    const n = agentsNeeded({ arrivalsPerSecond: 1000 / 180, ahtSeconds: 180, thresholdSeconds: 20, target: 0.8 });
    expect(n).toBeGreaterThan(1000);
    expect(n).toBeLessThan(1100);
  });

  test.each([
    ['a target of 1 (never met)', { ...classic, target: 1 }],
    ['a negative target', { ...classic, target: -0.1 }],
    ['a max occupancy of 0', { ...classic, maxOccupancy: 0 }],
    ['a max occupancy above 1', { ...classic, maxOccupancy: 1.2 }],
    ['NaN arrivals', { ...classic, arrivalsPerSecond: NaN }],
    ['a negative threshold', { ...classic, thresholdSeconds: -1 }],
  ])('rejects %s', (_name, input) => expect(() => agentsNeeded(input)).toThrow(RangeError));
});

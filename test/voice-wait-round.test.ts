// One round of a queued call's wait loop (domain/voice.ts), and the expected wait a caller hears:
// tables at the boundaries of the announcement interval, the longest wait and the round length.
import { describe, expect, test } from 'vitest';
import { expectedWaitMinutes, planWaitRound, type WaitRound, type WaitRules } from '../server/domain/voice.js';

const T0 = Date.UTC(2026, 5, 1, 3, 0, 0);
const S = 1_000;
const rules = (over: Partial<WaitRules> = {}): WaitRules => ({
  announce: 'position',
  announceEvery: 30,
  maxWaitSeconds: 120,
  onTimeout: 'offer_callback',
  ...over,
});

describe('planWaitRound (rounds of 10 s)', () => {
  const cases: [string, { enqueuedAt: number | null; announcedAt: number | null }, WaitRules, number, WaitRound][] = [
    [
      'first round: announce, then a full round',
      { enqueuedAt: T0, announcedAt: null },
      rules(),
      T0,
      { timedOut: false, announce: 'position', pauseSeconds: 10 },
    ],
    [
      '29 s after the last: quiet, 1 s to the next',
      { enqueuedAt: T0, announcedAt: T0 },
      rules(),
      T0 + 29 * S,
      { timedOut: false, announce: null, pauseSeconds: 1 },
    ],
    [
      'exactly 30 s after: announce',
      { enqueuedAt: T0, announcedAt: T0 },
      rules(),
      T0 + 30 * S,
      { timedOut: false, announce: 'position', pauseSeconds: 10 },
    ],
    [
      '25 s after: quiet, a pause of 5 s',
      { enqueuedAt: T0, announcedAt: T0 },
      rules(),
      T0 + 25 * S,
      { timedOut: false, announce: null, pauseSeconds: 5 },
    ],
    [
      'expected wait kind',
      { enqueuedAt: T0, announcedAt: null },
      rules({ announce: 'expected_wait' }),
      T0,
      { timedOut: false, announce: 'expected_wait', pauseSeconds: 10 },
    ],
    [
      'announce none: never, full rounds',
      { enqueuedAt: T0, announcedAt: null },
      rules({ announce: 'none' }),
      T0 + 60 * S,
      { timedOut: false, announce: null, pauseSeconds: 10 },
    ],
    [
      '1 ms before the longest wait: not yet, 1 s pause',
      { enqueuedAt: T0, announcedAt: T0 + 110 * S },
      rules(),
      T0 + 120 * S - 1,
      { timedOut: false, announce: null, pauseSeconds: 1 },
    ],
    [
      'at the longest wait: timed out',
      { enqueuedAt: T0, announcedAt: T0 + 110 * S },
      rules(),
      T0 + 120 * S,
      { timedOut: true, announce: null, pauseSeconds: 10 },
    ],
    [
      'long past it: timed out, no announcement',
      { enqueuedAt: T0, announcedAt: T0 },
      rules(),
      T0 + 3_600 * S,
      { timedOut: true, announce: null, pauseSeconds: 10 },
    ],
    [
      'the pause stops at the longest wait',
      { enqueuedAt: T0, announcedAt: T0 + 90 * S },
      rules(),
      T0 + 116 * S,
      { timedOut: false, announce: null, pauseSeconds: 4 },
    ],
    [
      'no longest wait: waits on',
      { enqueuedAt: T0, announcedAt: T0 },
      rules({ maxWaitSeconds: null, onTimeout: null }),
      T0 + 86_400 * S,
      { timedOut: false, announce: 'position', pauseSeconds: 10 },
    ],
    [
      'not queued yet: counted from now',
      { enqueuedAt: null, announcedAt: null },
      rules(),
      T0,
      { timedOut: false, announce: 'position', pauseSeconds: 10 },
    ],
  ];
  test.each(cases)('%s', (_name, call, r, now, expected) => {
    expect(planWaitRound(call, r, now, 10)).toEqual(expected);
  });
});

describe('expectedWaitMinutes', () => {
  const cases: [string, number, number | null, number, number | null][] = [
    ['first in line, 4 min handle time, one agent', 1, 240_000, 1, 4],
    ['third in line, 4 min, two agents: 6 min', 3, 240_000, 2, 6],
    ['a few seconds of work rounds up to one minute', 1, 5_000, 3, 1],
    ['just over a minute rounds up to two', 1, 60_001, 1, 2],
    ['no handle time measured yet', 1, null, 2, null],
    ['nobody staffed', 2, 240_000, 0, null],
    ['not in line', 0, 240_000, 1, null],
  ];
  test.each(cases)('%s', (_name, position, handleMs, staffed, expected) => {
    expect(expectedWaitMinutes(position, handleMs, staffed)).toBe(expected);
  });
});

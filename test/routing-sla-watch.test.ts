// The live SLA index (pure): which clock changes when, what a restart re-reports, and how a first
// reply stops its clock. The clock is an argument; table tests in the style of the SLA tests.
import { describe, expect, test } from 'vitest';
import { SlaWatch, type SlaWatchInput } from '../server/domain/routing/sla-watch.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 3, 0);
// First response due in 60 min (warn 12 min before), resolution in 240 (warn 48 before).
const input = (over: Partial<SlaWatchInput> = {}): SlaWatchInput => ({
  conversationId: 'c1',
  queueId: 'q1',
  firstResponseDueAt: T0 + 60 * MINUTE,
  resolutionDueAt: T0 + 240 * MINUTE,
  firstResponseAt: null,
  slaStatus: null,
  warnBeforeMs: { first_response: 12 * MINUTE, resolution: 48 * MINUTE },
  ...over,
});
const brief = (changes: ReturnType<SlaWatch['due']>) => changes.map((c) => `${c.which}:${c.status} ${c.from}→${c.to}`);

describe('SlaWatch.due', () => {
  test.each([
    ['nothing before the warning', 47, []],
    ['first response warns at 48 min', 48, ['first_response:warning ok→warning']],
    ['a late tick past due reports only the breach', 60, ['first_response:breached ok→breached']],
    ['both clocks at once, worst wins', 240, ['first_response:breached ok→breached', 'resolution:breached breached→breached']],
  ])('%s', (_name, minutes, expected) => {
    const watch = new SlaWatch();
    watch.watch(input(), T0);
    expect(brief(watch.due(T0 + minutes * MINUTE))).toEqual(expected);
  });

  test('each threshold is reported once, in order, as time passes', () => {
    const watch = new SlaWatch();
    watch.watch(input(), T0);
    const seen = [48, 50, 60, 61, 192, 240, 300].flatMap((m) => brief(watch.due(T0 + m * MINUTE)));
    expect(seen).toEqual([
      'first_response:warning ok→warning',
      'first_response:breached warning→breached',
      'resolution:warning breached→breached',
      'resolution:breached breached→breached',
    ]);
  });

  test.each([
    ['stored ok, now in warning: the warning is reported', 'ok', 50, ['first_response:warning ok→warning']],
    ['stored warning, still warning: nothing repeats', 'warning', 50, []],
    ['stored warning, past due: only the breach', 'warning', 65, ['first_response:breached warning→breached']],
    ['stored breached: nothing repeats', 'breached', 65, []],
  ] as const)('after a restart, %s', (_name, stored, minutes, expected) => {
    const watch = new SlaWatch();
    watch.watch(input({ slaStatus: stored }), T0 + minutes * MINUTE);
    expect(brief(watch.due(T0 + minutes * MINUTE))).toEqual(expected);
  });
});

describe('SlaWatch.firstResponded', () => {
  test.each([
    ['before any warning: stops quietly', 10, [], 'ok'],
    ['after the warning: met, back to ok', 50, ['first_response:met warning→ok'], 'ok'],
    ['after the breach: missed', 70, ['first_response:missed breached→ok'], 'ok'],
  ])('%s', (_name, minutes, expected, after) => {
    const watch = new SlaWatch();
    watch.watch(input(), T0);
    watch.due(T0 + minutes * MINUTE);
    expect(brief(watch.firstResponded('c1', T0 + minutes * MINUTE, T0 + minutes * MINUTE))).toEqual(expected);
    expect(watch.get('c1')?.stored).toBe(after);
    expect(watch.awaitsFirstResponse('c1')).toBe(false);
    // Its first-response clock never reports again; the resolution clock still does.
    expect(brief(watch.due(T0 + 200 * MINUTE))).toEqual([`resolution:warning ${after}→warning`]);
  });

  test('an answered conversation (reopened) watches only its resolution clock', () => {
    const watch = new SlaWatch();
    watch.watch(input({ firstResponseAt: T0 - MINUTE }), T0);
    expect(watch.awaitsFirstResponse('c1')).toBe(false);
    expect(brief(watch.due(T0 + 100 * MINUTE))).toEqual([]);
    expect(brief(watch.due(T0 + 240 * MINUTE))).toEqual(['resolution:breached ok→breached']);
  });

  test('a dropped (resolved) conversation reports nothing', () => {
    const watch = new SlaWatch();
    watch.watch(input(), T0);
    watch.drop('c1');
    expect(watch.due(T0 + 300 * MINUTE)).toEqual([]);
    expect(watch.size()).toBe(0);
  });
});

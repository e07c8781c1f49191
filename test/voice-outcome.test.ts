// How a call ended, from where it was when it hung up (domain/voice.ts): a table of every case.
import { expect, test } from 'vitest';
import { outcomeAtHangup, type CallOutcome, type CallState } from '../server/domain/voice.js';

const cases: [
  string,
  { state: CallState; answeredAt: number | null; outcome: CallOutcome | null; direction: 'inbound' | 'outbound' },
  string,
  CallOutcome,
][] = [
  ['hung up in the IVR', { state: 'ivr', answeredAt: null, outcome: null, direction: 'inbound' }, 'completed', 'ivr'],
  ['hung up waiting in the queue', { state: 'queued', answeredAt: null, outcome: null, direction: 'inbound' }, 'completed', 'abandoned'],
  [
    'hung up while the agent rang',
    { state: 'connecting', answeredAt: null, outcome: null, direction: 'inbound' },
    'completed',
    'abandoned',
  ],
  ['talked to an agent', { state: 'talking', answeredAt: null, outcome: null, direction: 'inbound' }, 'completed', 'answered'],
  ['answered earlier', { state: 'queued', answeredAt: 5, outcome: null, direction: 'inbound' }, 'completed', 'answered'],
  [
    'hung up recording a voicemail',
    { state: 'voicemail', answeredAt: null, outcome: null, direction: 'inbound' },
    'completed',
    'voicemail',
  ],
  ['asked for a callback', { state: 'ivr', answeredAt: null, outcome: 'callback', direction: 'inbound' }, 'completed', 'callback'],
  ['transferred out', { state: 'ivr', answeredAt: null, outcome: 'transferred', direction: 'inbound' }, 'completed', 'transferred'],
  ['never connected', { state: 'ivr', answeredAt: null, outcome: null, direction: 'inbound' }, 'failed', 'failed'],
  ['busy line', { state: 'ivr', answeredAt: null, outcome: null, direction: 'inbound' }, 'busy', 'missed'],
  [
    'callback the agent did not answer',
    { state: 'connecting', answeredAt: null, outcome: null, direction: 'outbound' },
    'no-answer',
    'missed',
  ],
  ['callback that failed', { state: 'connecting', answeredAt: null, outcome: null, direction: 'outbound' }, 'failed', 'failed'],
  ['callback that got through', { state: 'talking', answeredAt: null, outcome: null, direction: 'outbound' }, 'completed', 'answered'],
];

test.each(cases)('%s', (_name, call, status, expected) => {
  expect(outcomeAtHangup(call, status)).toBe(expected);
});

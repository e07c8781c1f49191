// The IVR engine, step by step: every node type walked through stepFlow, the TwiML parsed as XML and
// checked verb by verb (attributes, URLs, languages and voices), plus retries, speech, branches at a
// given time in Bangkok, placeholders and the loop guard. Pure: no server, no Twilio.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { renderIvrTwiml } from '../channels/voice/twiml.js';
import { MAX_HOPS, stepFlow, type IvrCaller, type IvrInput, type IvrState, type IvrUrls } from '../server/ivr/engine.js';
import { validateFlow, type Flow } from '../server/ivr/flow.js';
import { parseFlow } from '../server/ivr/load-flows.js';
import { findAll, only, parseTwiml, verbNames } from './support/twiml.js';

const BASE = 'https://desk.example.com/webhooks/voice/acc-1';
const urls: IvrUrls = {
  step: (node) => `${BASE}/step/${node}`,
  recording: (node) => `${BASE}/recording/${node}`,
  transcription: (node) => `${BASE}/transcription/${node}`,
  wait: `${BASE}/wait`,
};
const stranger: IvrCaller = {
  known: false,
  name: null,
  firstName: null,
  vip: false,
  valueTier: null,
  language: null,
  attributes: {},
  phone: '+66812345678',
};
const somchai: IvrCaller = { ...stranger, known: true, name: 'สมชาย ใจดี', firstName: 'สมชาย', language: 'th-TH', valueTier: 'gold' };

// Monday 2 March 2026 in Bangkok (UTC+7): 10:00 is open, 22:00 closed; 13 April 2026 is Songkran (a holiday).
const OPEN = Date.parse('2026-03-02T10:00:00+07:00');
const CLOSED = Date.parse('2026-03-02T22:00:00+07:00');
const SONGKRAN = Date.parse('2026-04-13T10:00:00+07:00');

const support = parseFlow('ivr-flows/support.flow.yaml', readFileSync('ivr-flows/support.flow.yaml', 'utf8'));
const TH = { 'th-TH': 'ข้อความ', 'en-US': 'Text' };
/** A two-language flow from nodes, validated like a file. */
const flowOf = (start: string, nodes: Record<string, unknown>, voices = { 'th-TH': 'Google.th-TH-Standard-A', 'en-US': 'Polly.Joanna' }) =>
  validateFlow('test.flow.yaml', { name: 'test', languages: ['th-TH', 'en-US'], voices, start, nodes });

function run(flow: Flow, state: IvrState | null, input: IvrInput, caller: IvrCaller = stranger, now = OPEN) {
  const step = stepFlow(flow, state, input, caller, urls, now, renderIvrTwiml);
  return { ...step, doc: parseTwiml(step.twiml) };
}
const start = (flow: Flow, caller?: IvrCaller, now?: number) => run(flow, null, { kind: 'start' }, caller, now);
const press = (flow: Flow, state: IvrState, digits: string, caller?: IvrCaller) =>
  run(flow, state, { kind: 'gather', node: state.node, digits }, caller);
const texts = (doc: ReturnType<typeof parseTwiml>) => findAll(doc, 'Say').map((s) => s.text);

const menu = flowOf('hello', {
  hello: { type: 'say', text: { 'th-TH': 'สวัสดีค่ะ', 'en-US': 'Hello' }, next: 'menu' },
  menu: {
    type: 'gather',
    input: ['dtmf'],
    prompt: { 'th-TH': 'กด 1 เพื่อคุยกับเจ้าหน้าที่', 'en-US': 'Press 1 for an agent' },
    options: { '1': 'queue', '2': 'english' },
    invalid: 'bye',
  },
  english: { type: 'set', language: 'en-US', attributes: { chose: 'english', tries: 2 }, next: 'menu' },
  queue: {
    type: 'enqueue',
    queue: 'Support',
    priority: 3,
    holdMusic: 'https://cdn.example.com/hold.mp3',
    announce: 'expected_wait',
    maxWaitSeconds: 120,
    onTimeout: 'bye',
  },
  bye: { type: 'hangup', prompt: { 'th-TH': 'ขอบคุณที่โทรมาค่ะ', 'en-US': 'Thanks for calling' } },
});

describe('say and gather', () => {
  test('the first step greets, then gathers with the prompt inside and a redirect after', () => {
    const { doc, state, effects } = start(menu);
    expect(verbNames(doc)).toEqual(['Say', 'Gather', 'Redirect']);
    expect(only(doc, 'Say')).toMatchObject({ text: 'สวัสดีค่ะ', attributes: { language: 'th-TH', voice: 'Google.th-TH-Standard-A' } });
    const gather = only(doc, 'Gather');
    expect(gather.attributes).toEqual({
      action: `${BASE}/step/menu`,
      method: 'POST',
      input: 'dtmf',
      timeout: '5',
      numDigits: '1',
      language: 'th-TH',
    });
    expect(only(gather, 'Say').text).toBe('กด 1 เพื่อคุยกับเจ้าหน้าที่');
    expect(only(doc, 'Redirect')).toMatchObject({ text: `${BASE}/step/menu`, attributes: { method: 'POST' } });
    expect(state).toEqual({
      node: 'menu',
      language: 'th-TH',
      attributes: {},
      retries: 0,
      path: [
        { node: 'hello', type: 'say', at: OPEN },
        { node: 'menu', type: 'gather', at: OPEN },
      ],
    });
    expect(effects).toEqual([]);
  });

  test('a key goes to its option and is written on the path', () => {
    const first = start(menu);
    const { state, doc } = press(menu, first.state, '1');
    expect(state.node).toBe('queue');
    expect(state.path.slice(1).map((p) => [p.node, p.input])).toEqual([
      ['menu', '1'],
      ['queue', undefined],
    ]);
    expect(verbNames(doc)).toEqual(['Redirect']);
  });

  test.each<[string, Omit<Extract<IvrInput, { kind: 'gather' }>, 'kind' | 'node'>]>([
    ['no input (timeout)', {}],
    ['a key with no option', { digits: '7' }],
    ['speech on a dtmf-only menu', { speech: 'agent please' }],
  ])('%s: says sorry and asks again until the retries are spent, then goes to invalid', (_title, answer) => {
    let { state } = start(menu);
    for (const retry of [1, 2]) {
      const step = run(menu, state, { kind: 'gather', node: 'menu', ...answer });
      expect(verbNames(step.doc)).toEqual(['Say', 'Gather', 'Redirect']);
      expect(texts(step.doc)[0]).toBe('ขออภัย ไม่ได้รับข้อมูลที่ถูกต้อง');
      expect(step.state.retries).toBe(retry);
      state = step.state;
    }
    const last = run(menu, state, { kind: 'gather', node: 'menu', ...answer });
    expect(last.state).toMatchObject({ node: 'bye', retries: 0 });
    expect(verbNames(last.doc)).toEqual(['Say', 'Hangup']);
    expect(last.effects).toEqual([{ type: 'hangup' }]);
  });

  test('invalidPrompt replaces the default apology; a good answer after a retry resets the count', () => {
    const flow = flowOf('menu', {
      menu: {
        type: 'gather',
        input: ['dtmf'],
        prompt: TH,
        retries: 1,
        options: { '1': 'bye' },
        invalid: 'bye',
        invalidPrompt: { 'th-TH': 'ไม่มีตัวเลือกนี้ค่ะ', 'en-US': 'No such option' },
      },
      bye: { type: 'hangup' },
    });
    const retry = press(flow, start(flow).state, '5');
    expect(texts(retry.doc)[0]).toBe('ไม่มีตัวเลือกนี้ค่ะ');
    expect(press(flow, retry.state, '1').state).toMatchObject({ node: 'bye', retries: 0 });
  });

  test('a stale answer for a node the caller has left repeats where the caller is, spending nothing', () => {
    const { state } = start(menu);
    const english = press(menu, state, '2');
    const stale = run(menu, english.state, { kind: 'gather', node: 'hello', digits: '1' });
    expect(stale.state).toMatchObject({ node: 'menu', retries: 0 });
    expect(only(stale.doc, 'Gather').attributes.action).toBe(`${BASE}/step/menu`);
  });

  test('the same input gives the same step, and the given state is not changed', () => {
    const { state } = start(menu);
    const before = structuredClone(state);
    expect(press(menu, state, '7')).toEqual(press(menu, state, '7'));
    expect(state).toEqual(before);
  });
});

describe('speech', () => {
  const flow = flowOf('menu', {
    menu: {
      type: 'gather',
      input: ['dtmf', 'speech'],
      prompt: TH,
      timeout: 8,
      numDigits: 2,
      options: { '10': 'orders' },
      speech: { 'th-TH': { คืนสินค้า: 'returns', สินค้า: 'orders' }, 'en-US': { return: 'returns' }, agent: 'agent' },
      invalid: 'agent',
    },
    orders: { type: 'hangup' },
    returns: { type: 'hangup' },
    agent: { type: 'hangup' },
  });
  const at = (speech: string, language = 'th-TH') => {
    const state: IvrState = { node: 'menu', language, attributes: {}, retries: 0, path: [] };
    return run(flow, state, { kind: 'gather', node: 'menu', speech }).state.node;
  };

  test('the gather listens for both, with hints in the caller language', () => {
    const gather = only(start(flow).doc, 'Gather');
    expect(gather.attributes).toMatchObject({
      input: 'dtmf speech',
      timeout: '8',
      numDigits: '2',
      language: 'th-TH',
      speechTimeout: 'auto',
    });
    expect(gather.attributes.hints).toBe('คืนสินค้า,สินค้า,agent');
  });

  test.each([
    ['ขอคืนสินค้าค่ะ', 'th-TH', 'returns'], // the longest phrase wins over "สินค้า"
    ['ขอ คืน สินค้า ค่ะ', 'th-TH', 'returns'], // Thai is written without spaces: recogniser spaces are ignored
    ['สินค้าของฉันอยู่ไหน', 'th-TH', 'orders'],
    ['  I want to RETURN my shoes ', 'en-US', 'returns'],
    ['an AGENT please', 'en-US', 'agent'], // language-independent phrase
    ['คืนสินค้า', 'en-US', 'menu'], // Thai phrases are not listened for in English: asked again
  ])('"%s" in %s goes to %s', (speech, language, node) => expect(at(speech, language)).toBe(node));
});

describe('branches', () => {
  test.each([
    ['open on a Monday morning', OPEN, 'greet'],
    ['closed at night', CLOSED, 'after_hours'],
    ['closed on Songkran', SONGKRAN, 'after_hours'],
  ])('business hours: %s', (_title, now, next) => {
    const { state } = start(support, { ...stranger, language: 'th-TH' }, now);
    expect(state.path.map((p) => p.node)).toContain(next);
  });

  test('after hours: a voicemail in Thai after the tone, recorded and posted back', () => {
    const menuStep = start(support, { ...stranger, language: 'th-TH' }, CLOSED);
    expect(texts(menuStep.doc)[1]).toContain('ขณะนี้อยู่นอกเวลาทำการค่ะ');
    const vm = press(support, menuStep.state, '1');
    expect(verbNames(vm.doc)).toEqual(['Say', 'Record', 'Redirect']);
    expect(vm.effects).toEqual([{ type: 'voicemail', node: 'leave_voicemail', maxLengthSeconds: 120, transcribe: false }]);
  });

  test.each<[string, Partial<IvrCaller>, string]>([
    ['a VIP', { vip: true }, 'Priority'],
    ['a platinum customer', { valueTier: 'platinum' }, 'Priority'],
    ['a gold customer', { valueTier: 'gold' }, 'Support'],
  ])('attribute: %s who asks for an agent waits in the right queue', (_title, who, queue) => {
    const caller = { ...somchai, ...who };
    const step = press(support, start(support, caller).state, '3', caller);
    expect(step.effects.find((e) => e.type === 'enqueue')).toMatchObject({ queue });
    expect(step.effects[0]).toEqual({ type: 'attributes', attributes: { topic: 'general' } });
  });

  test.each<[string, unknown, string]>([
    ['a caller-level attribute', { segment: 'b2b' }, 'yes'],
    ['a number compared as text', { segment: 42 }, 'no'],
    ['a missing attribute', {}, 'no'],
  ])('attribute: attributes.<key> with %s', (_title, attributes, node) => {
    const flow = flowOf('check', {
      check: { type: 'branch_attribute', attribute: 'attributes.segment', in: ['b2b', 'enterprise'], then: 'yes', else: 'no' },
      yes: { type: 'hangup' },
      no: { type: 'hangup' },
    });
    expect(start(flow, { ...stranger, attributes: attributes as Record<string, unknown> }).state.node).toBe(node);
  });

  test.each([
    ['th', 'check_hours'], // a bare language matches its regional form
    ['en-US', 'use_english'],
    [null, 'choose_language'],
  ])('attribute: a saved language %s leads to %s', (language, node) => {
    expect(start(support, { ...stranger, language }).state.path.map((p) => p.node)).toContain(node);
  });

  test('known: a known caller is greeted by name in Thai; a stranger is welcomed', () => {
    expect(texts(start(support, somchai).doc)).toEqual([
      'สวัสดีค่ะ ขอบคุณที่โทรหาช้อปดีค่ะ',
      'สวัสดีค่ะ คุณสมชาย ยินดีต้อนรับกลับมาค่ะ',
      expect.stringContaining('หากต้องการตรวจสอบสถานะคำสั่งซื้อ กด 1'),
    ]);
    expect(texts(start(support, { ...stranger, language: 'th-TH' }).doc)[1]).toBe('ยินดีต้อนรับสู่ฝ่ายบริการลูกค้าช้อปดีค่ะ');
  });
});

describe('set', () => {
  test('switching language changes the <Say> language and voice, and is an effect with the attributes', () => {
    const step = press(menu, start(menu).state, '2');
    expect(step.state).toMatchObject({ node: 'menu', language: 'en-US', attributes: { chose: 'english', tries: '2' } });
    expect(step.effects).toEqual([
      { type: 'language', language: 'en-US' },
      { type: 'attributes', attributes: { chose: 'english', tries: '2' } },
    ]);
    const gather = only(step.doc, 'Gather');
    expect(gather.attributes.language).toBe('en-US');
    expect(only(gather, 'Say')).toMatchObject({ text: 'Press 1 for an agent', attributes: { language: 'en-US', voice: 'Polly.Joanna' } });
    expect(texts(press(menu, step.state, '9').doc)[0]).toBe("Sorry, I didn't get that.");
  });

  test('placeholders see attributes and language; text is escaped in the XML; no voice means none', () => {
    const flow = flowOf(
      'tag',
      {
        tag: { type: 'set', attributes: { topic: 'refund' }, next: 'say' },
        say: { type: 'say', text: { 'th-TH': '{{customer.name}}: {{attributes.topic}} ({{language}})', 'en-US': 'x' }, next: 'bye' },
        bye: { type: 'hangup' },
      },
      {} as never,
    );
    const { doc, twiml } = start(flow, { ...somchai, name: 'A&B <Co> "Ltd"' });
    expect(only(doc, 'Say')).toEqual({
      name: 'Say',
      attributes: { language: 'th-TH' },
      children: [],
      text: 'A&B <Co> "Ltd": refund (th-TH)',
    });
    expect(twiml).toContain('A&amp;B &lt;Co&gt;');
  });
});

describe('hand-offs', () => {
  test('enqueue: says nothing more, redirects to the wait URL, and asks for the queue', () => {
    const { doc, effects } = press(menu, start(menu).state, '1');
    expect(verbNames(doc)).toEqual(['Redirect']);
    expect(only(doc, 'Redirect').text).toBe(`${BASE}/wait`);
    expect(effects).toEqual([
      {
        type: 'enqueue',
        queue: 'Support',
        priority: 3,
        holdMusic: 'https://cdn.example.com/hold.mp3',
        announce: 'expected_wait',
        announceEvery: 30,
        maxWaitSeconds: 120,
        onTimeout: 'bye',
      },
    ]);
  });

  test('a redirect (the queue timed out) continues at that node', () => {
    const { state } = press(menu, start(menu).state, '1');
    const step = run(menu, state, { kind: 'redirect', node: 'bye' });
    expect(texts(step.doc)).toEqual(['ขอบคุณที่โทรมาค่ะ']);
    expect(step.effects).toEqual([{ type: 'hangup' }]);
  });

  const vmFlow = (next?: string) =>
    flowOf('vm', {
      vm: {
        type: 'voicemail',
        prompt: { 'th-TH': 'ฝากข้อความหลังเสียงสัญญาณค่ะ', 'en-US': 'Leave a message' },
        maxLengthSeconds: 90,
        ...(next ? { next } : {}),
      },
      ...(next ? { thanks: { type: 'hangup', prompt: { 'th-TH': 'ขอบคุณค่ะ', 'en-US': 'Thanks' } } } : {}),
    });

  test('voicemail: prompt, then <Record> pointing at the step, recording and transcription URLs', () => {
    const { doc, effects, state } = start(vmFlow());
    expect(verbNames(doc)).toEqual(['Say', 'Record', 'Redirect']);
    expect(only(doc, 'Record').attributes).toEqual({
      action: `${BASE}/step/vm`,
      method: 'POST',
      maxLength: '90',
      playBeep: 'true',
      transcribe: 'true',
      transcribeCallback: `${BASE}/transcription/vm`,
      recordingStatusCallback: `${BASE}/recording/vm`,
      recordingStatusCallbackMethod: 'POST',
    });
    expect(only(doc, 'Redirect').text).toBe(`${BASE}/step/vm`);
    expect(effects).toEqual([{ type: 'voicemail', node: 'vm', maxLengthSeconds: 90, transcribe: true }]);
    expect(state.node).toBe('vm');
  });

  test.each([
    ['without next, the call ends', undefined, ['Hangup'], []],
    ['with next, the flow goes on', 'thanks', ['Say', 'Hangup'], ['ขอบคุณค่ะ']],
  ])('voicemail recorded: %s', (_title, next, verbs, said) => {
    const flow = vmFlow(next);
    const done = run(flow, start(flow).state, { kind: 'gather', node: 'vm' });
    expect(verbNames(done.doc)).toEqual(verbs);
    expect(texts(done.doc)).toEqual(said);
    expect(done.effects).toEqual([{ type: 'hangup' }]);
  });

  test('callback: prompt and confirmation, then hang up', () => {
    const { doc, effects } = press(support, start(support, somchai).state, '9', somchai);
    expect(verbNames(doc)).toEqual(['Say', 'Say', 'Hangup']);
    expect(texts(doc)[1]).toBe('บันทึกคำขอของท่านเรียบร้อยแล้วค่ะ เราจะติดต่อกลับโดยเร็วที่สุด ขอบคุณค่ะ');
    expect(effects).toEqual([{ type: 'callback', queue: 'Callbacks' }, { type: 'hangup' }]);
  });

  test('transfer: a <Dial> to the number', () => {
    const { doc, effects } = press(support, start(support, somchai).state, '4', somchai);
    expect(verbNames(doc)).toEqual(['Say', 'Dial']);
    expect(only(doc, 'Dial').text).toBe('+6621234567');
    expect(effects).toEqual([{ type: 'transfer', number: '+6621234567' }]);
  });

  test('play: a recorded prompt instead of text', () => {
    const flow = flowOf('music', {
      music: { type: 'say', play: 'https://cdn.example.com/welcome.mp3', next: 'bye' },
      bye: { type: 'hangup' },
    });
    const { doc } = start(flow);
    expect(verbNames(doc)).toEqual(['Play', 'Hangup']);
    expect(only(doc, 'Play').text).toBe('https://cdn.example.com/welcome.mp3');
  });
});

describe('guards', () => {
  const chain = (length: number, loop: boolean) => {
    const nodes: Record<string, unknown> = {};
    for (let i = 0; i < length; i++) nodes[`n${i}`] = { type: 'say', text: TH, next: i + 1 < length ? `n${i + 1}` : loop ? 'n0' : 'end' };
    if (!loop) nodes.end = { type: 'gather', input: ['dtmf'], prompt: TH, options: { '1': 'n0' }, invalid: 'n0' };
    return flowOf('n0', nodes);
  };

  test('a flow that loops say → say ends the call with an error instead of hanging', () => {
    const { doc, effects, state } = start(chain(2, true));
    expect(verbNames(doc)).toEqual(['Say', 'Hangup']);
    expect(texts(doc)).toEqual(['ขออภัยค่ะ ระบบขัดข้องชั่วคราว กรุณาโทรใหม่อีกครั้งค่ะ']);
    expect(effects).toEqual([{ type: 'error', message: expect.stringContaining('does the flow loop?') }, { type: 'hangup' }]);
    expect(state.path.at(-1)?.type).toBe('error');
  });

  test(`${MAX_HOPS} nodes before a gather are fine`, () => {
    const { doc, effects } = start(chain(MAX_HOPS, false));
    expect(findAll(doc, 'Say')).toHaveLength(MAX_HOPS + 1);
    expect(effects).toEqual([]);
  });

  test('a node that vanished from the flow (changed mid-call) ends the call with an error', () => {
    const step = run(menu, null, { kind: 'redirect', node: 'constructor' });
    expect(verbNames(step.doc)).toEqual(['Say', 'Hangup']);
    expect(step.effects[0]).toMatchObject({ type: 'error', message: expect.stringContaining('"constructor" does not exist') });
  });
});

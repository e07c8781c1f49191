// IVR flow files: the validator names the file and the node for every kind of mistake, collects all of
// a file's problems, and every flow shipped in ivr-flows/ loads.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { FlowError, validateFlow } from '../server/ivr/flow.js';
import { loadFlows, parseFlow } from '../server/ivr/load-flows.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ivr-flow-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Doc = Record<string, any>;
const base = (): Doc => ({
  name: 'small',
  languages: ['th-TH', 'en-US'],
  voices: { 'th-TH': 'Google.th-TH-Standard-A' },
  start: 'menu',
  nodes: {
    menu: {
      type: 'gather',
      input: ['dtmf'],
      prompt: { 'th-TH': 'กด 1 เพื่อคุยกับเจ้าหน้าที่', 'en-US': 'Press 1 for an agent' },
      options: { '1': 'queue' },
      invalid: 'bye',
    },
    queue: { type: 'enqueue', queue: 'Support' },
    bye: { type: 'hangup', prompt: { 'th-TH': 'ขอบคุณค่ะ', 'en-US': 'Thank you' } },
  },
});

let dirs = 0;
/** Writes the flow as the only file of a fresh folder and loads the folder; returns the error message. */
function loadError(doc: Doc | string, fileName = 'broken.flow.yaml'): { message: string; file: string } {
  const dir = path.join(tmp, `case-${++dirs}`);
  const file = path.join(dir, fileName);
  mkdirSync(dir);
  writeFileSync(file, typeof doc === 'string' ? doc : stringify(doc));
  try {
    loadFlows(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(FlowError);
    return { message: (err as Error).message, file };
  }
  throw new Error('the flow loaded, but it should not have');
}

const edit = (change: (d: Doc) => void) => {
  const doc = base();
  change(doc);
  return doc;
};

describe('the validator names the file and the node', () => {
  test.each<[string, (d: Doc) => void, string | null, string]>([
    ['unknown node type', (d) => (d.nodes.bye.type = 'goodbye'), 'bye', 'unknown node type "goodbye"'],
    ['node without a type', (d) => delete d.nodes.bye.type, 'bye', 'has no type'],
    ['reference to a missing node', (d) => (d.nodes.menu.options['3'] = 'sales'), 'menu', 'option "3" goes to unknown node "sales"'],
    ['missing next', (d) => { d.nodes.menu.invalid = 'intro'; d.nodes.intro = { type: 'say', text: { 'th-TH': 'ก', 'en-US': 'a' } }; }, 'intro', '"next" is required on a say node'], // prettier-ignore
    ['gather without invalid', (d) => delete d.nodes.menu.invalid, 'menu', '"invalid" is required on a gather node'],
    ['dtmf gather without options', (d) => delete d.nodes.menu.options, 'menu', 'needs "options"'],
    ['branch without else', (d) => { d.nodes.menu.options['2'] = 'vip'; d.nodes.vip = { type: 'branch_attribute', attribute: 'vip', equals: true, then: 'queue' }; }, 'vip', '"else" is required on a branch_attribute node'], // prettier-ignore
    ['branch without a value', (d) => { d.nodes.menu.options['2'] = 'vip'; d.nodes.vip = { type: 'branch_attribute', attribute: 'vip', then: 'queue', else: 'bye' }; }, 'vip', 'needs "equals: <value>" or "in: [<values>]"'], // prettier-ignore
    ['branch on an unknown field', (d) => { d.nodes.menu.options['2'] = 'vip'; d.nodes.vip = { type: 'branch_attribute', attribute: 'email', equals: 'x', then: 'queue', else: 'bye' }; }, 'vip', 'must be vip, valueTier, language or attributes.<key>'], // prettier-ignore
    ['known branch without unknown', (d) => { d.nodes.menu.options['2'] = 'who'; d.nodes.who = { type: 'branch_known', known: 'queue' }; }, 'who', '"unknown" is required'], // prettier-ignore
    ['unreachable node', (d) => (d.nodes.orphan = { type: 'hangup' }), 'orphan', 'is not reachable from start "menu"'],
    ['unknown key on a node', (d) => (d.nodes.menu.colour = 'red'), 'menu', 'unknown key "colour" on a gather node'],
    ['timeout out of range', (d) => (d.nodes.menu.timeout = 45), 'menu', '"timeout" must be a whole number of seconds from 1 to 30'],
    ['timeout not a number', (d) => (d.nodes.menu.timeout = 'soon'), 'menu', '"timeout" must be a whole number of seconds from 1 to 30'],
    ['retries out of range', (d) => (d.nodes.menu.retries = 9), 'menu', '"retries" must be a whole number from 0 to 5'],
    ['priority out of range', (d) => (d.nodes.queue.priority = 11), 'queue', '"priority" must be a whole number from -10 to 10'],
    ['maxWaitSeconds without onTimeout', (d) => (d.nodes.queue.maxWaitSeconds = 60), 'queue', '"maxWaitSeconds" needs "onTimeout"'],
    ['bad announce', (d) => (d.nodes.queue.announce = 'music'), 'queue', 'must be position, expected_wait or none'],
    ['text in a language the flow does not list', (d) => (d.nodes.bye.prompt['ja-JP'] = 'ありがとう'), 'bye', '"prompt" has a ja-JP text, a language the flow does not list'], // prettier-ignore
    ['text missing for a listed language', (d) => delete d.nodes.bye.prompt['en-US'], 'bye', '"prompt" has no en-US text'],
    ['empty text', (d) => (d.nodes.bye.prompt['th-TH'] = '  '), 'bye', '"prompt" has an empty th-TH text'],
    ['broken placeholder', (d) => (d.nodes.bye.prompt['en-US'] = 'Bye {{#if customer.vip}}'), 'bye', '"prompt" (en-US) is not a valid template'], // prettier-ignore
    ['custom helper in a placeholder', (d) => (d.nodes.bye.prompt['en-US'] = 'Bye {{shout customer.name}}'), 'bye', 'is not a valid template'], // prettier-ignore
    ['set to a language the flow does not list', (d) => { d.nodes.menu.options['2'] = 'fr'; d.nodes.fr = { type: 'set', language: 'fr-FR', next: 'queue' }; }, 'fr', `"language" fr-FR is not one of the flow's languages`], // prettier-ignore
    ['bad business hours', (d) => { d.nodes.menu.options['2'] = 'hrs'; d.nodes.hrs = { type: 'branch_hours', hours: { timeZone: 'Mars/Olympus', week: [] }, open: 'queue', closed: 'bye' }; }, 'hrs', '"hours" timeZone: "Mars/Olympus" is not an IANA time zone'], // prettier-ignore
    ['transfer to a non-E.164 number', (d) => { d.nodes.menu.options['0'] = 'out'; d.nodes.out = { type: 'transfer', number: '02-123-4567' }; }, 'out', 'must be an E.164 number'], // prettier-ignore
    ['say with neither text nor play', (d) => { d.nodes.menu.invalid = 'oops'; d.nodes.oops = { type: 'say', next: 'bye' }; }, 'oops', 'needs "text" (per language) or "play"'], // prettier-ignore
    ['play that is not a URL', (d) => { d.nodes.menu.invalid = 'tune'; d.nodes.tune = { type: 'say', play: 'music.mp3', next: 'bye' }; }, 'tune', '"play" must be an http(s) URL'], // prettier-ignore
    ['option longer than numDigits', (d) => { d.nodes.menu.numDigits = 1; d.nodes.menu.options['12'] = 'bye'; }, 'menu', 'option "12" has 2 keys but "numDigits" is 1'], // prettier-ignore
    ['option that is not a key', (d) => (d.nodes.menu.options.a = 'bye'), 'menu', 'option "a" is not a key sequence'],
    ['speech input without phrases', (d) => (d.nodes.menu.input = ['dtmf', 'speech']), 'menu', 'needs "speech" (phrases to node ids)'],
    ['speech phrases for an unlisted language', (d) => { d.nodes.menu.input = ['dtmf', 'speech']; d.nodes.menu.speech = { 'ja-JP': { はい: 'queue' } }; }, 'menu', 'speech phrases for ja-JP'], // prettier-ignore
    ['speech phrase to a missing node', (d) => { d.nodes.menu.input = ['dtmf', 'speech']; d.nodes.menu.speech = { agent: 'sales' }; }, 'menu', 'speech "agent" goes to unknown node "sales"'], // prettier-ignore
    ['voicemail transcribed beyond Twilio limit', (d) => { d.nodes.menu.invalid = 'vm'; d.nodes.vm = { type: 'voicemail', prompt: { 'th-TH': 'ฝากข้อความ', 'en-US': 'Leave a message' }, maxLengthSeconds: 300 }; }, 'vm', 'Twilio transcribes recordings of at most 120 seconds'], // prettier-ignore
    ['bad node id', (d) => (d.nodes['menu one'] = { type: 'hangup' }), 'menu one', 'a node id must start with a letter'],
    ['start names a missing node', (d) => (d.start = 'welcome'), null, '"start" names unknown node "welcome"'],
    ['language code not ll-CC', (d) => (d.languages = ['th-TH', 'english']), null, 'language "english" is not a BCP-47 code of the form ll-CC'], // prettier-ignore
    ['language Twilio cannot speak', (d) => (d.languages = ['th-TH', 'xx-YY']), null, 'language xx-YY is not one Twilio <Say> speaks'],
    [
      'voice for an unlisted language',
      (d) => (d.voices['ja-JP'] = 'Polly.Mizuki'),
      null,
      'voice for ja-JP, a language the flow does not list',
    ],
    ['unknown top-level key', (d) => (d.flows = 1), null, 'unknown top-level key "flows"'],
  ])('%s', (_title, change, node, fragment) => {
    const { message, file } = loadError(edit(change));
    const line = message.split('\n').find((l) => l.includes(fragment));
    expect(line, message).toBeDefined();
    expect(line!.startsWith(`${file}: ${node === null ? '' : `node "${node}": `}`), line).toBe(true);
  });
});

describe('reporting', () => {
  test('all problems of a file come together, one per line, each with file, node and line', () => {
    const yaml = readFileSync(path.join('ivr-flows', 'support.flow.yaml'), 'utf8')
      .replace("'3': agent", "'3': sales")
      .replace('retries: 1', 'retries: 7')
      .replace('type: hangup', 'type: hang_up');
    const { message, file } = loadError(yaml, 'support.flow.yaml');
    const lines = message.split('\n');
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l.startsWith(`${file}: node "`)).toBe(true);
    const lineOf = (needle: string) => yaml.split('\n').findIndex((l) => l.includes(needle)) + 1;
    expect(message).toContain(`node "main_menu": option "3" goes to unknown node "sales" (line ${lineOf("'3': sales")})`);
    expect(message).toContain(`node "choose_language": "retries" must be a whole number from 0 to 5 (line ${lineOf('retries: 7')})`);
    expect(message).toContain(`node "voicemail_done": unknown node type "hang_up"`);
  });

  test('a file under the working directory is named by its relative path', () => {
    const yaml = readFileSync(path.join('ivr-flows', 'support.flow.yaml'), 'utf8').replace("'3': agent", "'3': sales");
    expect(() => parseFlow('ivr-flows/support.flow.yaml', yaml)).toThrow(
      /^ivr-flows\/support\.flow\.yaml: node "main_menu": option "3" goes to unknown node "sales" \(line \d+\)$/,
    );
  });

  test('YAML syntax errors name the file and the line', () => {
    const { message, file } = loadError('name: x\nnodes:\n  a: [unclosed\n');
    expect(message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: YAML: .+\\(line \\d+\\)`));
  });

  test('two files with the same flow name', () => {
    const dir = path.join(tmp, 'twins');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'a.flow.yaml'), stringify(base()));
    writeFileSync(path.join(dir, 'b.flow.yaml'), stringify(base()));
    writeFileSync(path.join(dir, 'notes.yaml'), 'not: a flow'); // only *.flow.yaml files are flows
    expect(() => loadFlows(dir)).toThrow(`flow name "small" is already used by ${path.join(dir, 'a.flow.yaml')}`);
  });

  test('validateFlow is pure: a parsed document in, a Flow out, defaults filled', () => {
    const flow = validateFlow('inline.flow.yaml', base());
    expect(flow.start).toBe('menu');
    expect(flow.nodes.get('menu')).toMatchObject({ type: 'gather', timeout: 5, retries: 2, numDigits: null, invalidPrompt: null });
    expect(flow.nodes.get('queue')).toMatchObject({ priority: 0, announce: 'position', announceEvery: 30, maxWaitSeconds: null });
    expect(flow.nodes.get('constructor')).toBeUndefined();
  });
});

describe('shipped flows', () => {
  const shipped = readdirSync('ivr-flows').filter((f) => f.endsWith('.flow.yaml'));

  test('there is at least the support flow', () => expect(shipped).toContain('support.flow.yaml'));

  test.each(shipped)('%s validates', (name) => {
    const flow = parseFlow(`ivr-flows/${name}`, readFileSync(path.join('ivr-flows', name), 'utf8'));
    expect(flow.languages.length).toBeGreaterThan(0);
  });

  test('the folder loads as a whole', () => {
    const flows = loadFlows('ivr-flows');
    expect(flows.get('support')?.languages).toEqual(['th-TH', 'en-US']);
  });
});

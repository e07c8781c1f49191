// The pure rules behind duplicate suggestions and CSV rows: names in Thai and Latin script reduced to
// one form, mailboxes and phones to one key, blocking keys, pair scores, and each CSV cell checked.
import { describe, expect, test } from 'vitest';
import {
  canonicalEmail,
  matchKeys,
  matchProfile,
  nameSimilarity,
  nameSound,
  normalizeName,
  scorePair,
  type MatchProfile,
} from '../server/domain/customer-matching.js';
import { duplicatesWithinFile, exportRow, guardCell, readHeader, readRow, type ImportColumns } from '../server/domain/customer-csv.js';
import type { Customer } from '../server/domain/types.js';

describe('normalizeName', () => {
  test.each([
    ['คุณสมชาย ใจดี', 'สมชาย ใจดี'],
    ['คุณ สมชาย  ใจดี', 'สมชาย ใจดี'],
    ['นายสมชาย ใจดี', 'สมชาย ใจดี'],
    ['นางสาวสมหญิง รักไทย', 'สมหญิง รักไทย'],
    ['นาง สมหญิง รักไทย', 'สมหญิง รักไทย'],
    ['น.ส. สมหญิง รักไทย', 'สมหญิง รักไทย'],
    ['Somchai Jaidee', 'somchai jaidee'],
    ['somchai  jaidee', 'somchai jaidee'],
    ['  Mr. Somchai   JAIDEE ', 'somchai jaidee'],
    ['Mrs Malee Srisuk', 'malee srisuk'],
    ['Ms.Malee Srisuk', 'malee srisuk'],
    ['Khun Nok', 'nok'],
    ['O’Brien-Smith, Anne', 'o brien smith anne'],
    ['ＳＯＭＣＨＡＩ', 'somchai'], // full-width letters (NFKC)
    ['สม\u200bชาย', 'สมชาย'], // a zero-width space inside a Thai word
    ['คุณ', 'คุณ'], // a lone title is kept: nothing else is left
    ['Mr', 'mr'],
    ['', ''],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeName(raw)).toBe(expected);
  });

  test('ำ typed as one character or as ํ + า compares equal', () => {
    expect(normalizeName('คุณน้ำ ใจดี')).toBe(normalizeName('คุณน้\u0e4d\u0e32 ใจดี'));
  });
});

describe('canonicalEmail', () => {
  test.each([
    ['Somchai@Example.CO.TH', 'somchai@example.co.th'],
    ['somchai+shop@example.com', 'somchai@example.com'],
    ['some.one+x@gmail.com', 'someone@gmail.com'],
    ['Some.One@googlemail.com', 'someone@gmail.com'],
    ['first.last@example.com', 'first.last@example.com'], // dots matter outside Gmail
    ['not an email', undefined],
  ])('%j → %j', (raw, expected) => {
    expect(canonicalEmail(raw)).toBe(expected);
  });
});

const profile = (name: string, phones: string[] = [], emails: string[] = []): MatchProfile => ({
  name: normalizeName(name),
  phones,
  emails,
});

describe('scorePair', () => {
  test.each([
    ['same name with and without a Thai title', profile('คุณสมชาย ใจดี'), profile('สมชาย ใจดี'), ['same_name'], 70],
    ['same Latin name in other case and spacing', profile('Somchai Jaidee'), profile('somchai  jaidee'), ['same_name'], 70],
    ['a typo in the surname', profile('Somchai Jaidee'), profile('Somchai Jaidii'), ['similar_name'], 51],
    ['words in the other order', profile('Jaidee Somchai'), profile('Somchai Jaidee'), ['same_name'], 70],
    ['a Thai typo', profile('สมชาย ใจดี'), profile('สมชาย ใจดีย์'), ['similar_name'], 50],
    ['the same phone', profile('A B', ['+66812345678']), profile('C D', ['+66812345678']), ['same_phone'], 90],
    [
      'phone and name',
      profile('Malee Srisuk', ['+66812345678']),
      profile('Malee Srisuk', ['+66812345678']),
      ['same_phone', 'same_name'],
      97,
    ],
    ['the same mailbox', profile('', [], ['malee@example.com']), profile('x y', [], ['malee@example.com']), ['same_email'], 90],
    ['a lone shared first name is weak', profile('Nok'), profile('nok'), ['same_name'], 45],
  ])('%s', (_what, a, b, reasons, score) => {
    expect(scorePair(a, b)).toEqual({ reasons, score });
    expect(scorePair(b, a)).toEqual({ reasons, score });
  });

  test.each([
    ['different people', profile('Somchai Jaidee'), profile('Malee Srisuk')],
    ['short names one letter apart', profile('Nok'), profile('Nik')],
    ['no names at all', profile(''), profile('')],
  ])('%s: no suggestion', (_what, a, b) => {
    expect(scorePair(a, b)).toBeUndefined();
  });

  test('similarity is symmetric, 1 for equal names, and reads sorted words', () => {
    expect(nameSimilarity('somchai jaidee', 'somchai jaidee')).toBe(1);
    expect(nameSimilarity('a', '')).toBe(0);
    expect(nameSimilarity('jaidee somchai', 'somchai jaidee')).toBe(1);
  });
});

describe('Thai and Latin spellings of one name', () => {
  // The sound key a name reduces to, whichever script it is written in.
  test.each([
    ['สมชาย ใจดี', 'Somchai Jaidee', 'smc cd'],
    ['นายสมชาย ใจดี', 'Mr Somchay Chaidee', 'smc cd'],
    ['ประเสริฐ', 'Prasert', 'prsrt'],
    ['กิตติศักดิ์ มั่นคง', 'Kittisak Mankhong', 'ktsk mnkN'],
    ['พงษ์ศักดิ์', 'Pongsak', 'pNsk'],
    ['ธนพล', 'Thanaphon', 'tnpn'],
    ['มาลี ศรีสุข', 'Malee Srisuk', 'ml srsk'],
    ['พรทิพย์ แสงทอง', 'Pornthip Saengthong', 'pntp sNtN'],
    ['ศิริพร', 'Siriporn', 'srpn'],
    ['ธนาธร', 'Thanathorn', 'tntn'],
    ['กรุงเทพ', 'Krungthep', 'krNtp'],
    ['จันทร์เพ็ญ', 'Chanphen', 'cnpn'],
    ['บุญชัย', 'Boonchai', 'bnc'],
  ])('%s and %s both read %s', (thai, latin, sound) => {
    expect(nameSound(normalizeName(thai))).toBe(sound);
    expect(nameSound(normalizeName(latin))).toBe(sound);
  });

  test.each([
    ['full names that sound the same', profile('สมชาย ใจดี'), profile('Somchai Jaidee'), 55],
    ['with titles and another spelling', profile('นางสาวพรทิพย์ แสงทอง'), profile('Ms Pornthip Saengthong'), 55],
    ['one word', profile('ประเสริฐ'), profile('Prasert'), 35],
    ['a letter apart on a long name', profile('ประยุทธ์ จันทร์โอชา'), profile('Prayut Chan-o-cha'), 48],
  ])('%s: a similar name across scripts', (_what, a, b, score) => {
    expect(scorePair(a, b)).toEqual({ reasons: ['similar_name'], score });
    expect(scorePair(b, a)).toEqual({ reasons: ['similar_name'], score });
  });

  test.each([
    ['another first name', profile('สมชาย ใจดี'), profile('Somsak Jaidee')],
    ['another surname', profile('Somchai Jaidee'), profile('สมชาย แสงทอง')],
    ['short names that sound alike', profile('นภา'), profile('Napa')],
    ['family: the same surname, given names a letter apart', profile('Somsak Jaidee'), profile('สมศรี ใจดี')],
  ])('%s: no suggestion', (_what, a, b) => {
    expect(scorePair(a, b)).toBeUndefined();
  });

  test('every key fits its column (320 characters), however long a name grows under NFKC', () => {
    const long = matchKeys(profile(normalizeName('㎉'.repeat(200))));
    expect(long.some((k) => k.kind === 'soundw')).toBe(true);
    for (const k of long) expect(k.key.length).toBeLessThanOrEqual(320);
  });

  test('the two spellings share a blocking key, so they are compared at all', () => {
    const keys = (name: string) => matchKeys(profile(name)).filter((k) => k.kind === 'sound');
    expect(keys('สมชาย ใจดี')).toEqual(keys('Jaidee Somchai'));
    expect(keys('สมชาย ใจดี')).toEqual([{ kind: 'sound', key: 'cd smc' }]);
  });
});

describe('matchProfile and matchKeys', () => {
  test('phones and emails from identities and from contact attributes; name words give 4-letter prefix keys', () => {
    const p = matchProfile(
      { name: 'คุณสมชาย ใจดี', attributes: { unverifiedEmail: 'Som.Chai@gmail.com', mobile: '081 234 5678', note: '+66899999999' } },
      [
        { kind: 'email', scope: '', value: 'somchai@example.com' },
        { kind: 'line', scope: 'acc', value: 'U1' },
      ],
    );
    expect(p).toEqual({ name: 'สมชาย ใจดี', phones: ['+66812345678'], emails: ['somchai@example.com', 'somchai@gmail.com'] });
    expect(matchKeys(p)).toEqual([
      { kind: 'name', key: 'สมชาย ใจดี' },
      { kind: 'namep', key: 'สมชา' },
      { kind: 'namep', key: 'ใจดี' },
      { kind: 'sound', key: 'cd smc' },
      { kind: 'soundw', key: 'smc' },
      { kind: 'phone', key: '+66812345678' },
      { kind: 'email', key: 'somchai@example.com' },
      { kind: 'email', key: 'somchai@gmail.com' },
    ]);
  });
});

describe('CSV rows', () => {
  const header = ['name', 'phone', 'email', 'language', 'tags', 'vip', 'value_tier', 'member_no', 'id'];
  const read = readHeader(header);
  if (!read.ok) throw new Error(read.message);
  const columns: ImportColumns = read.columns;
  const row = (cells: string[], n = 2) => readRow(columns, cells, header.length, n);

  test('the header: known fields, attributes, and export-only columns skipped', () => {
    expect([...columns.attributes.values()]).toEqual(['member_no']);
    expect(columns.ignored).toEqual(['id']);
    expect(readHeader(['Name', 'name'])).toEqual({ ok: false, message: 'the column "name" appears twice (columns 1 and 2)' });
    expect(readHeader(['member no'])).toMatchObject({ ok: false });
    expect(readHeader(['note'])).toEqual({ ok: false, message: 'the header row needs at least one of the columns name, phone or email' });
    expect(readHeader(['ชื่อ', 'โทรศัพท์', 'attr:สาขา'])).toMatchObject({ ok: true });
  });

  test('a good row becomes a draft with normalized identities', () => {
    expect(row(['คุณมาลี  ศรีสุข', '081-234-5678; 66899999999', 'Malee@Example.com', 'TH', 'VIP;retail', 'yes', 'Gold', 'M-001', 'x'])).toEqual(
      {
        errors: [],
        draft: {
          row: 2,
          name: 'คุณมาลี ศรีสุข',
          locale: 'th',
          tags: ['vip', 'retail'],
          valueTier: 'gold',
          vip: true,
          attributes: { member_no: 'M-001' },
          identities: [
            { kind: 'phone', scope: '', value: '+66812345678' },
            { kind: 'phone', scope: '', value: '+66899999999' },
            { kind: 'email', scope: '', value: 'malee@example.com' },
          ],
        },
      },
    );
  });

  test('every problem of a row is named with its column', () => {
    const r = row(['', '12', 'no-at.example.com', 'Thai', 'a b', 'maybe', 'diamond', '', ''], 7);
    expect(r.draft).toBeUndefined();
    expect(r.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [7, 'phone', 'bad_phone'],
      [7, 'email', 'bad_email'],
      [7, 'language', 'bad_value'],
      [7, 'tags', 'bad_value'],
      [7, 'vip', 'bad_value'],
      [7, 'value_tier', 'bad_value'],
    ]);
    expect(row(['', '', '', 'th', '', '', '', 'M-2', ''], 3).errors).toEqual([
      { row: 3, column: 'name', code: 'missing', message: 'a customer needs at least a name, a phone or an email' },
    ]);
    expect(row(['only', 'two'], 4).errors[0]).toMatchObject({ row: 4, column: null, code: 'bad_row' });
  });

  test('a phone or email an earlier row has is a duplicate naming that row', () => {
    const a = row(['A', '0812345678', '', '', '', '', '', '', ''], 2).draft!;
    const b = row(['B', '+66 81 234 5678', '', '', '', '', '', '', ''], 5).draft!;
    expect(duplicatesWithinFile([a, b])).toEqual([
      {
        row: 5,
        column: 'phone',
        code: 'duplicate',
        message: '+66812345678 is also on row 2 of this file',
        value: '+66812345678',
        duplicateOfRow: 2,
      },
    ]);
  });

  test('export cells a spreadsheet would run as formulas are guarded, phone numbers are not', () => {
    expect(['=1+1', '@SUM(A1)', '+66812345678', '-5', '-x', 'สมชาย'].map(guardCell)).toEqual([
      "'=1+1",
      "'@SUM(A1)",
      '+66812345678',
      '-5',
      "'-x",
      'สมชาย',
    ]);
    const c: Customer = {
      id: 'c1',
      name: '=HYPERLINK("x")',
      locale: 'th',
      attributes: { plan: 'pro', n: 3 },
      valueTier: 'gold',
      vip: true,
      tags: ['a', 'b'],
      lastContactAt: null,
      mergedInto: null,
      createdAt: Date.UTC(2026, 0, 2),
      updatedAt: 0,
    };
    expect(exportRow(c, [], ['n', 'plan'])).toEqual([
      'c1',
      '\'=HYPERLINK("x")',
      '',
      '',
      'th',
      'a; b',
      'gold',
      'yes',
      '',
      '',
      '',
      '',
      '2026-01-02T00:00:00.000Z',
      '',
      '3',
      'pro',
    ]);
    expect(readRow(columns, ['\'=HYPERLINK("x")', '', '', '', '', '', '', '', ''], header.length, 2).draft?.name).toBe('=HYPERLINK("x")');
  });
});

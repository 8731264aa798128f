// The CSV field splitter and the streaming record reader on tricky input: quotes, CRLF, BOM, chunk edges.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseCsvRecord } from '../src/csv.ts';
import { type FileRecord, readRecords } from '../src/records.ts';

describe('parseCsvRecord', () => {
  test('plain fields, empty fields and a trailing empty field', () => {
    assert.deepEqual(parseCsvRecord('a,b,,d,'), ['a', 'b', '', 'd', '']);
    assert.deepEqual(parseCsvRecord(''), ['']);
  });

  test('quoted commas, escaped quotes and quoted empty fields', () => {
    assert.deepEqual(parseCsvRecord('536381,82567,"AIRLINE LOUNGE,METAL SIGN",2'), [
      '536381',
      '82567',
      'AIRLINE LOUNGE,METAL SIGN',
      '2',
    ]);
    assert.deepEqual(parseCsvRecord('x,"RECORD FRAME 7"" SINGLE SIZE ",48'), [
      'x',
      'RECORD FRAME 7" SINGLE SIZE ',
      '48',
    ]);
    assert.deepEqual(parseCsvRecord('"",""""'), ['', '"']);
    assert.deepEqual(parseCsvRecord('a,"b, c"'), ['a', 'b, c']);
  });

  test('a CR before the line end is dropped; a quoted newline is kept', () => {
    assert.deepEqual(parseCsvRecord('a,b\r'), ['a', 'b']);
    assert.deepEqual(parseCsvRecord('a,"line one\r\nline two",c\r'), ['a', 'line one\r\nline two', 'c']);
  });

  test('lenient with stray quotes: inside an unquoted field, after a closing quote, unterminated', () => {
    assert.deepEqual(parseCsvRecord('5" tall,b'), ['5" tall', 'b']);
    assert.deepEqual(parseCsvRecord('"ab"cd,e'), ['abcd', 'e']);
    assert.deepEqual(parseCsvRecord('a,"open'), ['a', 'open']);
  });
});

describe('readRecords', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quiver-cli-csv-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const all = async (path: string, options: Parameters<typeof readRecords>[1]) => {
    const out: FileRecord[] = [];
    for await (const r of readRecords(path, options)) out.push(r);
    return out;
  };

  const content = '\ufeffh1,h2\r\n1,"two\r\nlines, and ""quotes"""\r\n\r\n3,"x,y"\r\nlast,no newline';

  test('CRLF, a BOM, a blank line, a quoted field spanning lines; offsets and line numbers', async () => {
    const path = write('tricky.csv', content);
    const records = await all(path, { quoted: true });
    assert.deepEqual(
      records.map((r) => [r.text, r.line, r.nextLine]),
      [
        ['h1,h2', 1, 2],
        ['1,"two\r\nlines, and ""quotes"""', 2, 4],
        ['3,"x,y"', 5, 6],
        ['last,no newline', 6, 7],
      ],
    );
    assert.deepEqual(parseCsvRecord(records[1].text), ['1', 'two\r\nlines, and "quotes"']);
    const bytes = Buffer.from(content);
    for (const r of records.slice(0, 3)) {
      assert.equal(bytes.subarray(r.start, r.end).toString().trimEnd(), r.text, 'start/end frame the record');
    }
    assert.equal(records[3].end, bytes.length);
  });

  test('the same records whatever the chunk size, including chunks that split a multi-byte character', async () => {
    const text = `${content}\nµ€,"£40, 🎁"\n`;
    const path = write('chunks.csv', text);
    const expected = await all(path, { quoted: true });
    for (const chunkBytes of [1, 2, 3, 5, 7, 64]) {
      assert.deepEqual(await all(path, { quoted: true, chunkBytes }), expected, `chunks of ${chunkBytes}`);
    }
    assert.deepEqual(parseCsvRecord(expected[4].text), ['µ€', '£40, 🎁']);
  });

  test('starting at a saved offset and line gives the rest of the file', async () => {
    const path = write('resume.csv', content);
    const records = await all(path, { quoted: true });
    const rest = await all(path, { quoted: true, start: records[1].end, line: records[1].nextLine });
    assert.deepEqual(rest, records.slice(2));
  });

  test('without quote tracking a quote does not join lines (JSONL)', async () => {
    const path = write('lines.jsonl', '{"a":"\\""}\n{"b":1}\n');
    assert.deepEqual(
      (await all(path, {})).map((r) => r.text),
      ['{"a":"\\""}', '{"b":1}'],
    );
  });
});

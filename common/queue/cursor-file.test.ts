import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import {
  cursorFilePath,
  decodeCursor,
  encodeCursor,
  readCursorFile,
  writeCursorFile,
} from './cursor-file.ts';
import { tempDir } from './testdata/helpers.ts';

describe('cursor files', () => {
  it('round-trips and leaves no temp file behind', async (t) => {
    const dir = await tempDir(t);
    await writeCursorFile(dir, 'es', { seq: 10, segment: 4, offset: 900 });
    assert.deepEqual(await readCursorFile(dir, 'es'), {
      kind: 'ok',
      pointer: { seq: 10, segment: 4, offset: 900 },
    });
    assert.deepEqual(await readdir(dir), ['es.cursor']);
  });

  it('reports a missing file as missing, not corrupt', async (t) => {
    assert.deepEqual(await readCursorFile(await tempDir(t), 'nope'), { kind: 'missing' });
  });

  it('rejects truncated, empty, edited and wrong-shaped files', async (t) => {
    const dir = await tempDir(t);
    const good = encodeCursor({ seq: 10, segment: 4, offset: 900 });
    const cases: Array<[string, RegExp]> = [
      [good.slice(0, good.length - 10), /JSON/],
      ['', /empty/],
      [good.replace('"seq":10', '"seq":11'), /checksum/],
      ['[1,2]', /version/],
      ['{"version":1,"seq":-1,"segment":0,"offset":0,"checksum":0}', /non-negative/],
    ];
    for (const [text, reason] of cases) {
      await writeFile(cursorFilePath(dir, 'c'), text);
      const r = await readCursorFile(dir, 'c');
      assert.equal(r.kind, 'corrupt', text);
      if (r.kind === 'corrupt') assert.match(r.reason, reason);
    }
    assert.equal(decodeCursor(good).kind, 'ok');
  });
});

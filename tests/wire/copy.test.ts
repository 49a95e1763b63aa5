/**
 * COPY FROM STDIN and COPY TO STDOUT of 100,000 rows, text and CSV, through psql's \copy and
 * through raw protocol frames. The wire does the framing; the fixture counts rows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serialize } from 'pg-protocol';
import { commandTag, RawClient, runPsql, startFixtureServer, types, type FixtureServer } from './support.js';

const ROWS = 100_000;

function rowsText(count: number, separator: string): string {
  let out = '';
  for (let i = 1; i <= count; i++) out += `${i}${separator}row ${i}\n`;
  return out;
}

describe('COPY', () => {
  let server: FixtureServer;
  let dir: string;
  before(async () => {
    server = await startFixtureServer();
    dir = mkdtempSync(join(tmpdir(), 'polygres-wire-copy-'));
  });
  after(() => server.close());

  for (const format of ['text', 'csv'] as const) {
    const separator = format === 'csv' ? ',' : '\t';
    const option = format === 'csv' ? ' WITH (FORMAT csv)' : '';

    test(`psql \\copy FROM a file: ${ROWS} rows, ${format}`, async () => {
      const file = join(dir, `in.${format}`);
      writeFileSync(file, rowsText(ROWS, separator));
      const rowsBefore = server.backend.sink.rows;
      const bytesBefore = server.backend.sink.bytes;
      const r = await runPsql(server, ['-v', 'ON_ERROR_STOP=1', '-c', `\\copy sink FROM '${file}'${option}`], { timeoutMs: 120_000 });
      assert.equal(r.stderr, '');
      assert.equal(r.stdout.trim(), `COPY ${ROWS}`);
      assert.equal(server.backend.sink.rows - rowsBefore, ROWS);
      assert.equal(server.backend.sink.bytes - bytesBefore, statSync(file).size);
      assert.equal(server.backend.sink.lastRow, `${ROWS}${separator}row ${ROWS}`);
    });

    test(`psql \\copy TO a file: ${ROWS} rows, ${format}`, async () => {
      const file = join(dir, `out.${format}`);
      const r = await runPsql(server, ['-v', 'ON_ERROR_STOP=1', '-c', `\\copy series(${ROWS}) TO '${file}'${option}`], { timeoutMs: 120_000 });
      assert.equal(r.stderr, '');
      assert.equal(r.stdout.trim(), `COPY ${ROWS}`);
      assert.equal(readFileSync(file, 'utf8'), rowsText(ROWS, separator));
    });
  }

  test('psql COPY FROM STDIN reads the data that follows on psql\'s input, up to \\.', async () => {
    const input = `COPY sink FROM STDIN;\n${rowsText(3, '\t')}\\.\nSELECT 1;\n`;
    const r = await runPsql(server, ['-v', 'ON_ERROR_STOP=1', '-tA'], { input });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'COPY 3\n1\n');
  });

  test(`raw frames: ${ROWS} rows in 64 KiB CopyData messages that split rows anywhere`, async () => {
    const c = await RawClient.connect(server);
    await c.startup();
    c.send(serialize.query('COPY sink FROM STDIN'));
    const response = await c.readUntil('G');
    assert.equal(response[0]!.body[0], 0); // text format
    const data = Buffer.from(rowsText(ROWS, '\t'));
    const rowsBefore = server.backend.sink.rows;
    for (let offset = 0; offset < data.length; offset += 65_536) {
      c.send(serialize.copyData(data.subarray(offset, offset + 65_536)));
    }
    c.send(serialize.copyDone());
    const frames = await c.readUntil('Z', 60_000);
    assert.equal(types(frames), 'CZ');
    assert.equal(commandTag(frames[0]!), `COPY ${ROWS}`);
    assert.equal(server.backend.sink.rows - rowsBefore, ROWS);
    c.close();
  });

  test(`raw frames: COPY TO STDOUT of ${ROWS} rows arrives as ${ROWS} CopyData messages`, async () => {
    const c = await RawClient.connect(server);
    await c.startup();
    c.send(serialize.query(`COPY series(${ROWS}) TO STDOUT (FORMAT csv)`));
    let copyData = 0;
    let last = '';
    for (;;) {
      const f = await c.next(60_000);
      assert.ok(f, 'connection closed');
      if (f.type === 'd') {
        copyData++;
        last = f.body.toString();
      }
      if (f.type === 'C') assert.equal(commandTag(f), `COPY ${ROWS}`);
      if (f.type === 'Z') break;
    }
    assert.equal(copyData, ROWS);
    assert.equal(last, `${ROWS},row ${ROWS}\n`);
    c.close();
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { castBool, castFloat, castHex, castInteger, compileTypes, parseTypes } from './typecast.ts';

describe('Types', () => {
  test('parseTypes reads key:type lists, case-insensitive types', () => {
    assert.deepEqual(
      [...parseTypes('code:integer  duration:FLOAT ok:bool id:hex name:string')],
      [
        ['code', 'integer'],
        ['duration', 'float'],
        ['ok', 'bool'],
        ['id', 'hex'],
        ['name', 'string'],
      ],
    );
    assert.throws(() => parseTypes('code:int'), /unknown type 'int'/);
    assert.throws(() => parseTypes(':integer'), /not key:type/);
    assert.equal(compileTypes(undefined), undefined);
    assert.equal(compileTypes('  '), undefined);
  });

  test('integer: atoll semantics, no-digit values stay strings', () => {
    assert.equal(castInteger('42'), 42);
    assert.equal(castInteger('  -7'), -7);
    assert.equal(castInteger('+3'), 3);
    assert.equal(castInteger('12ms'), 12);
    assert.equal(castInteger('1.9'), 1);
    assert.equal(castInteger('-0'), 0);
    assert.equal(castInteger('99999999999999999999999'), 2 ** 63);
    assert.equal(castInteger('abc'), 'abc');
    assert.equal(castInteger(''), '');
  });

  test('float: atof semantics', () => {
    assert.equal(castFloat('0.25'), 0.25);
    assert.equal(castFloat('1e3'), 1000);
    assert.equal(castFloat(' -.5x'), -0.5);
    assert.equal(castFloat('inf'), Infinity);
    assert.equal(castFloat('-Infinity'), -Infinity);
    assert.ok(Number.isNaN(castFloat('nan')));
    assert.equal(castFloat('0x1p4'), 16);
    assert.equal(castFloat('fast'), 'fast');
  });

  test('bool: case-insensitive true/false prefix, else the string', () => {
    assert.equal(castBool('true'), true);
    assert.equal(castBool('TRUE'), true);
    assert.equal(castBool('False'), false);
    assert.equal(castBool('trueish'), true);
    assert.equal(castBool('yes'), 'yes');
    assert.equal(castBool(''), '');
  });

  test('hex: strtoull base 16', () => {
    assert.equal(castHex('ff'), 255);
    assert.equal(castHex('0x1A'), 26);
    assert.equal(castHex(' 10g'), 16);
    assert.equal(castHex('xyz'), 'xyz');
  });
});

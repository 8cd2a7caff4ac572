import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  civilFromDays,
  compileTimeFormat,
  daysFromCivil,
  parseTimeOffset,
  TimeFormatError,
} from './strptime.ts';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number =>
  Date.UTC(y, mo - 1, d, h, mi, s) / 1000;

describe('compileTimeFormat: directives table', () => {
  // [format, input, seconds, nanoseconds]
  const cases: [string, string, number, number][] = [
    ['%Y-%m-%dT%H:%M:%S', '2024-02-29T23:59:58', utc(2024, 2, 29, 23, 59, 58), 0],
    ['%Y-%m-%dT%H:%M:%S.%L', '2021-02-01T01:40:03.53412Z', utc(2021, 2, 1, 1, 40, 3), 534120000],
    ['%Y-%m-%dT%H:%M:%S.%L', '2019-01-01T00:00:00.123456789Z', utc(2019, 1, 1), 123456789],
    ['%Y-%m-%dT%H:%M:%S.%L', '2019-01-01T00:00:00.1', utc(2019, 1, 1), 100000000],
    // more than 9 fraction digits: the 10th is left over and ignored, as in Fluent Bit
    ['%Y-%m-%dT%H:%M:%S.%L', '2019-01-01T00:00:00.9999999999', utc(2019, 1, 1), 999999999],
    ['%Y-%m-%dT%H:%M:%S.%L%z', '2019-01-01T00:00:00.000000001Z', utc(2019, 1, 1), 1],
    ['%Y-%m-%dT%H:%M:%S.%L%z', '2019-01-01T09:00:00.5+09:00', utc(2019, 1, 1), 500000000],
    ['%Y-%m-%dT%H:%M:%S.%L%z', '2019-01-01T00:00:00.5-0130', utc(2019, 1, 1, 1, 30), 500000000],
    ['%Y-%m-%dT%H:%M:%S%z', '2019-01-01T05:00:00+05', utc(2019, 1, 1), 0],
    ['%Y-%m-%d %H:%M:%S %z', '2019-01-01 00:00:00 UTC', utc(2019, 1, 1), 0],
    ['%Y-%m-%d %H:%M:%S %z', '2019-01-01 00:00:00 GMT', utc(2019, 1, 1), 0],
    ['%Y-%m-%d %H:%M:%S %z', '2019-01-01 00:00:00 EST', utc(2019, 1, 1, 5), 0],
    ['%Y-%m-%d %H:%M:%S %Z', '2019-01-01 09:00:00 JST', utc(2019, 1, 1), 0],
    ['%d/%b/%Y:%H:%M:%S %z', '10/Oct/2000:13:55:36 -0700', utc(2000, 10, 10, 20, 55, 36), 0],
    ['%d/%B/%Y', '05/september/2001', utc(2001, 9, 5), 0],
    ['%a, %d %b %Y %H:%M:%S %z', 'Tue, 15 Nov 1994 08:12:31 GMT', utc(1994, 11, 15, 8, 12, 31), 0],
    ['%A %e %b %Y', 'Saturday  1 Jan 2000', utc(2000, 1, 1), 0],
    ['%s', '1546300800', utc(2019, 1, 1), 0],
    ['%s.%L', '1546300800.000123', utc(2019, 1, 1), 123000],
    ['%y-%m-%d', '68-01-01', utc(2068, 1, 1), 0],
    ['%y-%m-%d', '69-01-01', utc(1969, 1, 1), 0],
    ['%C%y-%m-%d', '1999-12-31', utc(1999, 12, 31), 0],
    ['%Y %j', '2024 060', utc(2024, 2, 29), 0],
    ['%Y-%m-%d %I:%M:%S %p', '2020-01-01 12:30:00 AM', utc(2020, 1, 1, 0, 30), 0],
    ['%Y-%m-%d %I:%M:%S %p', '2020-01-01 01:30:00 pm', utc(2020, 1, 1, 13, 30), 0],
    ['%F %T', '2020-06-30 23:59:60', utc(2020, 7, 1), 0], // leap second rolls over, like timegm
    ['%D %R', '06/30/20 12:34', utc(2020, 6, 30, 12, 34), 0],
    ['%Y%m%d%H%M%S', '20240102030405', utc(2024, 1, 2, 3, 4, 5), 0],
    ['%Y-%m-%d%n%H:%M', '2024-01-02 \t 03:04', utc(2024, 1, 2, 3, 4), 0],
    ['%Y-%m-%d 100%%', '2024-01-02 100%', utc(2024, 1, 2), 0],
    ['%Y-%m-%d', '1969-12-31', -86400, 0],
    ['%Y-%m-%d', '0001-01-01', utc(2001, 1, 1) - 2000 * 365.2425 * 86400, 0],
  ];
  for (const [fmt, input, seconds, nanoseconds] of cases) {
    test(`${fmt} <- ${JSON.stringify(input)}`, () => {
      const t = compileTimeFormat(fmt).parse(input);
      assert.deepEqual(t, { seconds, nanoseconds });
    });
  }
});

describe('compileTimeFormat: behaviour', () => {
  test('non-matching values give undefined', () => {
    const f = compileTimeFormat('%Y-%m-%dT%H:%M:%S.%L');
    for (const bad of [
      '',
      'garbage',
      '2019-13-01T00:00:00.1',
      '2019-01-01 00:00:00.1',
      '2019-01-01T00:00:00.',
      '2019-01-01T00:00:00',
    ]) {
      assert.equal(f.parse(bad), undefined, bad);
    }
  });

  test('Time_Offset applies without a zone, not with one', () => {
    const noTz = compileTimeFormat('%Y-%m-%d %H:%M:%S', { offsetSeconds: parseTimeOffset('+0900') });
    assert.equal(noTz.parse('2019-01-01 09:00:00')?.seconds, utc(2019, 1, 1));
    const tz = compileTimeFormat('%Y-%m-%d %H:%M:%S %z', { offsetSeconds: 9 * 3600 });
    assert.equal(tz.parse('2019-01-01 09:00:00 +0000')?.seconds, utc(2019, 1, 1, 9));
    assert.equal(tz.hasTimezone, true);
    // a literal Z after %L counts as a zone, as in Fluent Bit
    assert.equal(compileTimeFormat('%Y-%m-%dT%H:%M:%S.%LZ').hasTimezone, true);
  });

  test('formats without a year take the current date and year', () => {
    const now = () => Date.UTC(2025, 6, 14, 12, 0, 0);
    const f = compileTimeFormat('%b %d %H:%M:%S', { now });
    assert.equal(f.hasYear, false);
    assert.equal(f.parse('Jan  5 10:00:00')?.seconds, utc(2025, 1, 5, 10));
    assert.equal(
      compileTimeFormat('%H:%M:%S', { now }).parse('01:02:03')?.seconds,
      utc(2025, 7, 14, 1, 2, 3),
    );
  });

  test('unsupported directives fail at compile time with the directive named', () => {
    assert.throws(
      () => compileTimeFormat('%Y-%Q'),
      (e: unknown) => e instanceof TimeFormatError && /%Q/.test(e.message),
    );
    assert.throws(() => compileTimeFormat('%Y-%'), /lone '%'/);
    assert.throws(() => compileTimeFormat('%S.%L.%L'), /only once/);
  });

  test('parseTimeOffset', () => {
    assert.equal(parseTimeOffset('Z'), 0);
    assert.equal(parseTimeOffset('+0200'), 7200);
    assert.equal(parseTimeOffset('-06:30'), -(6 * 3600 + 1800));
    assert.throws(() => parseTimeOffset('0200'), TimeFormatError);
    assert.throws(() => parseTimeOffset('+2'), TimeFormatError);
  });

  test('daysFromCivil / civilFromDays round-trip', () => {
    for (let d = -800000; d < 800000; d += 997) {
      const [y, m, day] = civilFromDays(d);
      assert.equal(daysFromCivil(y, m, day), d);
    }
    assert.equal(daysFromCivil(1970, 1, 1), 0);
    assert.equal(daysFromCivil(2000, 3, 1), 11017);
  });
});

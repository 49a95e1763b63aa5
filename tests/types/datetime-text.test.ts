/**
 * date, time, timestamp, timestamptz and interval text I/O compared with the real PostgreSQL under
 * several DateStyle, TimeZone and IntervalStyle settings.
 */
import { after, describe, test } from 'node:test';
import { skipUnlessPostgres } from '../support/storages.js';
import { Oid } from '../../src/types/oids.js';
import { DEFAULT_CODEC_CONTEXT, type CodecContext } from '../../src/types/codec.js';
import { assertNoMismatches, closeReference, compareInputs } from './reference.js';

const skip = await skipUnlessPostgres();

const DATE_INPUTS = [
  '2024-01-02', '2024-1-2', '20240102', '240102', '1/2/2024', '01/02/2024', '1/2/24', '2024/01/02', '2024.01.02', 'Jan 2 2024',
  'January 2, 2024', '2 Jan 2024', '2-Jan-2024', 'Jan-02-2024', '2024-Jan-02', '02-01-2024', '13/01/2024', '2024-13-01', '2024-02-30',
  '2024-02-29', '2023-02-29', '0001-01-01', '0000-01-01', '0001-01-01 BC', '4714-11-24 BC', '4714-11-23 BC', '5874897-12-31', '5874898-01-01',
  '99999-01-01', 'epoch', 'infinity', '-infinity', 'today', 'tomorrow', 'yesterday', 'now', '', ' ', 'abc', '2024-01-02 12:34:56',
  '2024-01-02T12:34:56Z', '1999-12-31 23:59:59.999999', 'Jan 2', '2024', '2024-001', '2024.123', '12.5', 'J2451545', 'Wed Jan 02 2024',
  'Tue 02 Jan 2024', '02.01.2024', '2024-01-02 BC', '2024-01-02 AD', '1/2', '99-12-31', '69-12-31', '70-01-01', '2024-01-02 America/New_York',
  'allballs', '1 2 3', '2024--01-02', 'Feb 30 2024', 'Janu 2 2024', 'y2024m01d02',
];

const TIME_INPUTS = [
  '00:00', '12:34', '12:34:56', '12:34:56.789', '12:34:56.7891234', '23:59:59.9999995', '24:00:00', '24:00:01', '25:00', '12:60',
  '12:34:60', '12:34:61', '123456', '1234', '12', '12:34 PM', '12:34 AM', '12:34:56 pm', '13:00 PM', '00:00 am', 'allballs', 'now',
  '', 'abc', '2024-01-02 12:34:56', '12:34:56+05', '12:34:56 America/New_York', '12:34:56 PST', 'T12:34:56', '04:05:06.789-8',
  '12.5', '12:34:56.', '1:2:3', '12:34:56 BC', '-1:00', 'epoch', 'infinity',
];

const TIMESTAMP_INPUTS = [
  '2024-01-02 03:04:05', '2024-01-02T03:04:05', '2024-01-02T03:04:05Z', '2024-01-02T03:04:05.123456+05:30', '2024-01-02 03:04:05.1234567',
  '2024-01-02 03:04:05.9999995', '2024-01-02 03:04:05-08', '2024-01-02 03:04:05 -8', '2024-01-02 03:04:05 +0530', '2024-01-02 03:04:05+05:30:15',
  '2024-01-02 03:04:05 UTC', '2024-01-02 03:04:05 GMT', '2024-01-02 03:04:05 EST', '2024-01-02 03:04:05 EDT', '2024-01-02 03:04:05 PST',
  '2024-01-02 03:04:05 CET', '2024-01-02 03:04:05 z', '2024-01-02 03:04:05 America/New_York', '2024-07-02 03:04:05 America/New_York',
  '2024-01-02 03:04:05 Asia/Kolkata', '2024-01-02 03:04:05 Europe/Nowhere', '2024-01-02 03:04:05+16', '2024-01-02 03:04:05+15:59',
  'Jan 2 2024 03:04:05', 'January 2 2024 3:04 pm', 'Tue Jan 02 03:04:05 2024', 'Tue Jan 02 03:04:05 2024 PST', '02/01/2024 03:04',
  '2024-01-02', '2024-01-02 24:00:00', '2024-01-02 24:00:01', '2024-01-02 25:00', '2024-01-02 23:59:60', 'epoch', 'infinity', '-infinity',
  'now', 'today', 'tomorrow', 'yesterday', 'today 12:00', 'allballs', '', 'abc', '03:04:05', '2024-01-02 03:04:05 BC', '0001-01-01 00:00:00 BC',
  '4714-11-24 00:00:00 BC', '4714-11-23 23:59:59 BC', '294276-12-31 23:59:59.999999', '294277-01-01 00:00:00', '20240102 030405',
  '20240102T030405', '2024-01-02 030405', '2024-01-02 03:04:05.5 EST DST', '1997-12-17 07:37:16-08 DST', '2024-03-10 02:30:00',
  '2024-03-10 02:30:00 America/New_York', '2024-11-03 01:30:00', '2024-11-03 01:30:00 America/New_York', '1800-01-01 00:00:00',
  '1883-11-18 12:00:00', '2100-06-15 12:00:00', '9999-12-31 23:59:59', '10000-01-01 00:00:00', '1999-01-08 04:05:06.789 MSK',
  '2024-01-02 03:04:05 Z', '2024-01-02 03:04:05 zulu', '2024-01-02 03:04:05 +05:30 junk', '2024-01-02 03:04:05 at',
  '2024-06-30 12:00 Australia/Lord_Howe', '2024-01-02 03:04:05.123 +0', 'J2451545 12:00', '2024-02-30 10:00', '13/13/2024',
];

const INTERVAL_INPUTS = [
  '1 day', '1 day 02:03:04', '-1 day 02:03:04', '-1 day -02:03:04', '1 year 2 months 3 days 4 hours 5 minutes 6 seconds', '1 mon',
  '2 mons', '1.5 years', '1.5 months', '1.5 days', '1.5 hours', '0.000001 sec', '0.0000005 sec', '1 week', '2 weeks 3 days', '3 decades',
  '2 centuries', '1 millennium', '100 microseconds', '1500 ms', '@ 1 day ago', '@ 1 year 2 mons -3 days 4 hours 5 mins 6 secs ago',
  '1 day ago', 'P1Y2M3DT4H5M6S', 'P1Y2M3DT4H5M6.5S', 'P1W', 'PT1.5S', 'P0.5Y', 'PT-1H', 'P-1Y-2M', 'P0001-02-03T04:05:06', 'P00010203T040506',
  'P1Y2M3D', 'PT', 'P', 'P1', '1-2', '-1-2', '1-2 3 4:05:06', '3 4:05:06', '4:05:06', '-4:05:06', '04:05', '+04:05', '1:2:3.5', '45:30.5',
  '100:00:00', '1 2:03', '', 'abc', '1 day 1 day', '1 days 2', '5', '-5', '5.5', '1 quarter', '1 fortnight', '2147483647 days', '2147483648 days',
  '178956970 years', '178956971 years', '9223372036854775807 microseconds', '@ 0', '0', '00:00:00', '1 hour 60 minutes', '-0.5 days',
  '1 year -1 month', '-1 year +1 month', '1 day -1 hour', 'P1Y-2M3DT-4H', '1 millisecond', '1 microsecond', '  1   day  ',
  '1 day 2 hours 3 minutes 4.123456 seconds', '+1 day', '1 centuries', '1 y 2 m', '1 d 2 h 3 m 4 s',
];

function ctx(overrides: Partial<CodecContext>): CodecContext {
  return { ...DEFAULT_CODEC_CONTEXT, ...overrides };
}

const STYLES = ['ISO, MDY', 'ISO, DMY', 'ISO, YMD', 'SQL, MDY', 'SQL, DMY', 'Postgres, MDY', 'Postgres, DMY', 'German, DMY'];
const ZONES = ['Etc/UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Europe/Berlin', 'UTC+3', 'Asia/Dubai'];

describe('date/time text I/O matches PostgreSQL', { skip }, () => {
  after(closeReference);

  for (const dateStyle of STYLES) {
    test(`date, time, timestamp in DateStyle ${dateStyle}`, async () => {
      const c = ctx({ dateStyle, timeZone: 'America/New_York' });
      assertNoMismatches(`date ${dateStyle}`, await compareInputs('date', Oid.date, -1, DATE_INPUTS, c, { send: true }));
      assertNoMismatches(`time ${dateStyle}`, await compareInputs('time', Oid.time, -1, TIME_INPUTS, c, { send: true }));
      assertNoMismatches(`timestamp ${dateStyle}`, await compareInputs('timestamp', Oid.timestamp, -1, TIMESTAMP_INPUTS, c, { send: true }));
    });
  }

  for (const timeZone of ZONES) {
    for (const dateStyle of ['ISO, MDY', 'SQL, DMY', 'Postgres, MDY']) {
      test(`timestamptz in ${timeZone}, ${dateStyle}`, async () => {
        const c = ctx({ dateStyle, timeZone });
        assertNoMismatches(`timestamptz ${timeZone} ${dateStyle}`, await compareInputs('timestamptz', Oid.timestamptz, -1, TIMESTAMP_INPUTS, c, { send: true }));
      });
    }
  }

  test('timestamptz output across DST transitions and history', async () => {
    const inputs: string[] = [];
    for (let y = 1850; y <= 2060; y += 7) {
      for (const md of ['01-15', '03-10', '03-31', '04-06', '07-01', '10-27', '11-03', '12-31']) {
        for (const hm of ['00:30', '01:30', '02:30', '03:30', '12:00']) inputs.push(`${y}-${md} ${hm}:00+00`);
      }
    }
    for (const timeZone of ['America/New_York', 'Australia/Lord_Howe', 'Europe/Berlin', 'Asia/Kolkata']) {
      for (const dateStyle of ['ISO, MDY', 'SQL, MDY']) {
        const c = ctx({ dateStyle, timeZone });
        assertNoMismatches(`timestamptz history ${timeZone} ${dateStyle}`, await compareInputs('timestamptz', Oid.timestamptz, -1, inputs, c));
        const local = inputs.map((s) => s.replace('+00', ''));
        assertNoMismatches(`local times ${timeZone}`, await compareInputs('timestamptz', Oid.timestamptz, -1, local, c));
      }
    }
  });

  test('typmod rounds fractional seconds', async () => {
    const inputs = ['2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.5', '1999-12-31 23:59:59.95', '1970-01-01 00:00:00.5', '1985-06-01 00:00:00.5', '1960-01-01 00:00:00.5', 'infinity'];
    for (const p of [0, 1, 3, 5, 6]) {
      assertNoMismatches(`timestamp(${p})`, await compareInputs(`timestamp(${p})`, Oid.timestamp, p, inputs, DEFAULT_CODEC_CONTEXT, { send: true }));
      assertNoMismatches(`timestamptz(${p})`, await compareInputs(`timestamptz(${p})`, Oid.timestamptz, p, inputs, DEFAULT_CODEC_CONTEXT, { send: true }));
      assertNoMismatches(`time(${p})`, await compareInputs(`time(${p})`, Oid.time, p, ['03:04:05.123456', '23:59:59.5', '00:00:00.05', '12:00:00.999999'], DEFAULT_CODEC_CONTEXT, { send: true }));
    }
  });

  for (const intervalStyle of ['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601']) {
    test(`interval in IntervalStyle ${intervalStyle}`, async () => {
      const c = ctx({ intervalStyle });
      assertNoMismatches(`interval ${intervalStyle}`, await compareInputs('interval', Oid.interval, -1, INTERVAL_INPUTS, c, { send: true }));
    });
  }

  test('interval typmods truncate fields and round seconds', async () => {
    const inputs = ['1 year 2 months 3 days 04:05:06.789', '-1 year -2 months -3 days -04:05:06.789', '5', '5.5', '1:30', '45:30.5', '3 4:05:06.5'];
    const ranges: Array<[string, number]> = [
      ['year', 4], ['month', 2], ['day', 8], ['hour', 1024], ['minute', 2048], ['second', 4096], ['year to month', 6],
      ['day to hour', 1032], ['day to minute', 3080], ['day to second', 7176], ['hour to minute', 3072], ['hour to second', 7168], ['minute to second', 6144],
    ];
    for (const [name, range] of ranges) {
      assertNoMismatches(`interval ${name}`, await compareInputs(`interval ${name}`, Oid.interval, (range << 16) | 0xffff, inputs));
    }
    assertNoMismatches('interval(2)', await compareInputs('interval(2)', Oid.interval, (0x7fff << 16) | 2, inputs));
    assertNoMismatches('interval second(0)', await compareInputs('interval second(0)', Oid.interval, (4096 << 16) | 0, inputs));
  });
});

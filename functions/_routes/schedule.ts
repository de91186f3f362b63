/**
 * EventBridge schedule expressions: parsed once for both hosts, so an expression the local runtime cannot run
 * fails `cdk synth` too. `rate(<n> <unit>)` and `cron(<min> <hour> <day-of-month> <month> <day-of-week> <year>)`
 * in UTC, with `*`, `?`, lists, ranges, steps and month/day names. The `L`, `W` and `#` forms are refused.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
 */
export type ParsedSchedule =
  | { readonly kind: 'rate'; readonly periodMs: number }
  | { readonly kind: 'cron'; readonly fields: CronFields };

export interface CronFields {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  /** Undefined for `?`: the day is chosen by the other day field. */
  readonly daysOfMonth?: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 1 = Sunday … 7 = Saturday, as EventBridge counts; undefined for `?`. */
  readonly daysOfWeek?: ReadonlySet<number>;
  readonly years: ReadonlySet<number>;
}

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

const parseRate = (body: string): ParsedSchedule => {
  const m = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(body.trim());
  if (!m) throw new Error(`rate(${body}): expected rate(<n> minute[s]|hour[s]|day[s]), e.g. rate(5 minutes)`);
  const n = Number(m[1]);
  const unit = m[2]!.replace(/s$/, '');
  if (n < 1) throw new Error(`rate(${body}): the value must be at least 1`);
  // EventBridge: "If the value is equal to 1, then the unit must be singular", and plural otherwise.
  if ((n === 1) !== (m[2] === unit)) throw new Error(`rate(${body}): write rate(1 ${unit}) or rate(${n} ${unit}s)`);
  return { kind: 'rate', periodMs: n * UNIT_MS[unit]! };
};

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly question?: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const SPECS: readonly FieldSpec[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, question: true },
  { name: 'year', min: 1970, max: 2199 },
];

const value = (text: string, spec: FieldSpec): number => {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  const n = named >= 0 ? named + spec.min : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= spec.min && n <= spec.max)) throw new Error(`${spec.name}: "${text}" is not in ${spec.min}-${spec.max}`);
  return n;
};

const part = (text: string, spec: FieldSpec, into: Set<number>) => {
  const [range = '', stepText] = text.split('/');
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1) throw new Error(`${spec.name}: bad step in "${text}"`);
  const [from, to] =
    range === '*'
      ? [spec.min, spec.max]
      : range.includes('-')
        ? (range.split('-').map((r) => value(r, spec)) as [number, number])
        : [value(range, spec), stepText === undefined ? value(range, spec) : spec.max];
  if (from > to) throw new Error(`${spec.name}: empty range "${text}"`);
  for (let n = from; n <= to; n += step) into.add(n);
};

const field = (text: string, spec: FieldSpec): Set<number> | undefined => {
  if (text === '?') {
    if (!spec.question) throw new Error(`${spec.name}: "?" is only for day-of-month or day-of-week`);
    return undefined;
  }
  if (/[LW#]/i.test(text.replace(/[A-Z]{3}/gi, (n) => (spec.names?.includes(n.toUpperCase()) ? '' : n)))) {
    throw new Error(`${spec.name}: the L, W and # forms are not supported (the local runtime cannot run them)`);
  }
  const set = new Set<number>();
  for (const p of text.split(',')) part(p, spec, set);
  return set;
};

const parseCron = (body: string): ParsedSchedule => {
  const texts = body.trim().split(/\s+/);
  if (texts.length !== 6) throw new Error(`cron(${body}): expected 6 fields: minutes hours day-of-month month day-of-week year`);
  try {
    const [minutes, hours, daysOfMonth, months, daysOfWeek, years] = texts.map((t, i) => field(t, SPECS[i]!));
    // EventBridge: "You can't specify the Day-of-month and Day-of-week fields in the same cron expression."
    if ((daysOfMonth === undefined) === (daysOfWeek === undefined)) {
      throw new Error('exactly one of day-of-month and day-of-week must be "?"');
    }
    const fields = { minutes: minutes!, hours: hours!, months: months!, years: years! };
    return { kind: 'cron', fields: { ...fields, ...(daysOfMonth ? { daysOfMonth } : {}), ...(daysOfWeek ? { daysOfWeek } : {}) } };
  } catch (e) {
    throw new Error(`cron(${body}): ${(e as Error).message}`);
  }
};

/** Parses a schedule expression; throws with a readable message on anything EventBridge or we would refuse. */
export const parseSchedule = (expression: string): ParsedSchedule => {
  const m = /^(rate|cron)\((.*)\)$/.exec(expression.trim());
  if (!m) throw new Error(`"${expression}": expected rate(...) or cron(...)`);
  return m[1] === 'rate' ? parseRate(m[2]!) : parseCron(m[2]!);
};

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const dayMatches = (f: CronFields, d: Date): boolean =>
  f.years.has(d.getUTCFullYear()) &&
  f.months.has(d.getUTCMonth() + 1) &&
  (f.daysOfMonth?.has(d.getUTCDate()) ?? true) &&
  (f.daysOfWeek?.has(d.getUTCDay() + 1) ?? true);

/** The first minute strictly after `afterMs` that the cron fields match, or undefined if none remains (years). */
export const nextCronTime = (f: CronFields, afterMs: number): number | undefined => {
  const first = Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const lastYear = Math.max(...f.years);
  for (let day = Math.floor(first / DAY_MS) * DAY_MS; new Date(day).getUTCFullYear() <= lastYear; day += DAY_MS) {
    if (!dayMatches(f, new Date(day))) continue;
    for (const hour of [...f.hours].sort((a, b) => a - b)) {
      for (const minute of [...f.minutes].sort((a, b) => a - b)) {
        const at = day + hour * 3_600_000 + minute * MINUTE_MS;
        if (at >= first) return at;
      }
    }
  }
  return undefined;
};

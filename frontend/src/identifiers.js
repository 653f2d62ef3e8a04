// IIN and BIN checked as they are typed: the same rules as cabinet/identifiers.py, which the
// server applies again on every save (this module only spares a round trip). Each refusal is a
// reason code the page turns into words: format, century, birth_date, checksum,
// registration_month, entity_type, division.
const FIRST_WEIGHTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const SECOND_WEIGHTS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/** The check digit for 11 digits, or null when no valid number can end them. */
export function checkDigit(firstEleven) {
  const digits = [...firstEleven].map(Number);
  for (const weights of [FIRST_WEIGHTS, SECOND_WEIGHTS]) {
    const remainder = digits.reduce((sum, digit, i) => sum + digit * weights[i], 0) % 11;
    if (remainder !== 10) return remainder;
  }
  return null;
}

export function compact(text) {
  return String(text).trim().replace(/[ \u00a0\u202f]/g, "");
}

function validDate(year, month, day) {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const CENTURY = { 1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000 };

/** Why a typed IIN is not one, or null when it passes (Iin.__post_init__). */
export function iinProblem(text) {
  const value = compact(text);
  if (!/^[0-9]{12}$/.test(value)) return "format";
  const century = CENTURY[value[6]];
  if (century === undefined) return "century";
  if (!validDate(century + Number(value.slice(0, 2)), Number(value.slice(2, 4)), Number(value.slice(4, 6)))) {
    return "birth_date";
  }
  return checkDigit(value.slice(0, 11)) === Number(value[11]) ? null : "checksum";
}

/** Why a typed BIN is not one, or null when it passes (Bin.__post_init__). */
export function binProblem(text) {
  const value = compact(text);
  if (!/^[0-9]{12}$/.test(value)) return "format";
  const month = Number(value.slice(2, 4));
  if (month < 1 || month > 12) return "registration_month";
  if (!"456".includes(value[4])) return "entity_type";
  if (!"0123".includes(value[5])) return "division";
  return checkDigit(value.slice(0, 11)) === Number(value[11]) ? null : "checksum";
}

/** A party's number from one field: a BIN's fifth digit is 4-6, never an IIN's (a day of birth). */
export function identifierProblem(text) {
  const value = compact(text);
  if (!/^[0-9]{12}$/.test(value)) return "format";
  return "456".includes(value[4]) ? binProblem(value) : iinProblem(value);
}

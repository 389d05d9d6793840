/**
 * SASLprep (RFC 4013), the password preparation SCRAM-SHA-256 requires: the stringprep (RFC 3454)
 * profile with its tables in `./saslprep-tables.ts` (about 5 KB) and the runtime's NFKC.
 *
 * It behaves exactly like `@mongodb-js/saslprep` with its default options, the implementation
 * MongoDB's Node driver and mongosh use, so a password prepares to the same bytes — and so the same
 * SCRAM keys — here as there. That includes its choices where the RFC leaves room: unassigned code
 * points are rejected (RFC 4013's rule for stored strings, the package's default), and a string that
 * maps to nothing is rejected too. The test suite compares the two on every code point.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import {
  L_CAT,
  MAPPED_TO_NOTHING,
  NON_ASCII_SPACE,
  PROHIBITED,
  RAND_AL_CAT,
  UNASSIGNED,
} from "./saslprep-tables.ts";

/** A code-point set: the sorted boundaries `start0, end0 + 1, start1, end1 + 1, …` of its ranges. */
type CodePointSet = Uint32Array;

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

interface Tables {
  readonly unassigned: CodePointSet;
  readonly mappedToNothing: CodePointSet;
  readonly nonAsciiSpace: CodePointSet;
  readonly prohibited: CodePointSet;
  readonly randAlCat: CodePointSet;
  readonly lCat: CodePointSet;
}

/**
 * Prepares a string with SASLprep (RFC 4013): maps non-ASCII spaces to U+0020, removes characters
 * commonly mapped to nothing, normalizes to NFKC, and rejects prohibited, unassigned and
 * mixed-direction text.
 *
 * @param s the string, usually a password
 * @returns the prepared string
 * @throws {MongoAuthError} `INVALID_CREDENTIAL` when `s` holds a character SASLprep forbids, or
 *   nothing but characters it removes; the message names the rule that failed, never the input
 *
 * @example RFC 4013 section 3
 * ```ts
 * import assert from "node:assert/strict";
 * import { saslprep } from "@mongo-auth/core";
 *
 * assert.equal(saslprep("I\u00ADX"), "IX");
 * assert.equal(saslprep("\u2168"), "IX");
 * assert.throws(() => saslprep("\u0007"), { code: "INVALID_CREDENTIAL" });
 * ```
 */
export function saslprep(s: string): string {
  if (typeof s !== "string") {
    throw new MongoAuthError("INVALID_CREDENTIAL", "SASLprep needs a string");
  }
  if (s === "") return "";
  // Printable ASCII (U+0020 to U+007E) is what nearly every password is, and SASLprep leaves it as it is:
  // no such character is mapped, NFKC keeps it, none is prohibited, unassigned or right-to-left.
  if (PRINTABLE_ASCII.test(s)) return s;
  const t = tables();
  const prepared = mapCharacters(s, t).normalize("NFKC");
  const broken = brokenRule(prepared, t);
  if (broken !== undefined) {
    throw new MongoAuthError(
      "INVALID_CREDENTIAL",
      `the password is not allowed by SASLprep (RFC 4013): ${broken}`,
    );
  }
  return prepared;
}

// RFC 4013 section 2.1. A lone surrogate passes through as itself, as in the reference package, and is
// rejected later as prohibited (C.5) unless removing a character between two halves joined them.
function mapCharacters(s: string, t: Tables): string {
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (contains(t.nonAsciiSpace, cp)) out += " ";
    else if (!contains(t.mappedToNothing, cp)) out += ch;
  }
  return out;
}

// Sections 2.3 to 2.5 and RFC 3454 section 6, in the reference package's order, so the same rule is
// named when several are broken. Returns what to tell the user, or undefined when all hold.
function brokenRule(prepared: string, t: Tables): string | undefined {
  let prohibited = false, unassigned = false, hasRandAl = false, hasL = false;
  let first = -1, last = -1;
  for (const ch of prepared) {
    const cp = ch.codePointAt(0)!;
    if (first < 0) first = cp;
    last = cp;
    prohibited ||= contains(t.prohibited, cp);
    unassigned ||= contains(t.unassigned, cp);
    hasRandAl ||= contains(t.randAlCat, cp);
    hasL ||= contains(t.lCat, cp);
  }
  if (prohibited) {
    return "it contains a prohibited character (a control, private-use, non-character or other character " +
      "RFC 4013 section 2.3 forbids); remove that character";
  }
  if (unassigned) return "it contains a code point unassigned in Unicode 3.2; remove that character";
  if (hasRandAl && hasL) {
    return "it mixes right-to-left and left-to-right characters (RFC 3454 section 6); use one direction";
  }
  // D.1 has only BMP characters, so comparing code points here equals the package's UTF-16 check.
  if (hasRandAl && !(contains(t.randAlCat, first) && contains(t.randAlCat, last))) {
    return "right-to-left text must begin and end with a right-to-left character (RFC 3454 section 6)";
  }
  if (first < 0) {
    return "it has only characters SASLprep removes (RFC 4013 section 2.1), which leaves it empty; " +
      "choose another password";
  }
  return undefined;
}

let decoded: Tables | undefined;

// Decoded on first use, so importing the package costs nothing until SCRAM-SHA-256 runs.
function tables(): Tables {
  decoded ??= {
    unassigned: decode(UNASSIGNED),
    mappedToNothing: decode(MAPPED_TO_NOTHING),
    nonAsciiSpace: decode(NON_ASCII_SPACE),
    prohibited: decode(PROHIBITED),
    randAlCat: decode(RAND_AL_CAT),
    lCat: decode(L_CAT),
  };
  return decoded;
}

// The tables' text form: base-36 differences between successive boundaries, comma-separated.
function decode(text: string): CodePointSet {
  const deltas = text.split(/[\s,]+/).filter((d) => d !== "");
  const bounds = new Uint32Array(deltas.length);
  let at = 0;
  for (let i = 0; i < deltas.length; i++) bounds[i] = at += parseInt(deltas[i], 36);
  return bounds;
}

// In the set when an odd number of boundaries lie at or below cp (binary search for that number).
function contains(set: CodePointSet, cp: number): boolean {
  let lo = 0, hi = set.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (set[mid] <= cp) lo = mid + 1;
    else hi = mid;
  }
  return (lo & 1) === 1;
}

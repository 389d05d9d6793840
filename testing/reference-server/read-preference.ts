// A command's `$readPreference`, as mongod 7.0 reads it (client/read_preference.cpp,
// ReadPreferenceSetting::fromContainingBSON / fromInnerBSON, with bson_extract.cpp's messages), and the
// one thing mongod does with it: a mode other than primary lets an opt-in command (find) run on a
// secondary (canRunOnSecondary).
import { CommandError } from "./errors.ts";
import { bsonTypeName, elementsOf, type RawDocument } from "./idl.ts";

const MODES = ["primary", "primaryPreferred", "secondary", "secondaryPreferred", "nearest"] as const;

/** The read preference mode a command runs under. */
export type ReadPreferenceMode = typeof MODES[number];

/** mongod's kMinimalMaxStalenessValue. */
const MIN_MAX_STALENESS_SECONDS = 90;

/**
 * The command's read preference mode: `primary` without `$readPreference`.
 * @param request the command as received
 * @returns the mode
 * @throws CommandError with mongod's code for a malformed `$readPreference`
 */
export function readPreferenceOf(request: RawDocument): ReadPreferenceMode {
  const element = request.elements.find((e) => e.name === "$readPreference");
  if (element === undefined) return "primary";
  if (element.type !== 3) {
    throw new CommandError(
      14,
      `$readPreference has incorrect type: expected object but got ${bsonTypeName(element.type)}`,
    );
  }
  const fields = new Map(elementsOf(element.value).map((e) => [e.name, e]));
  const doc = request.doc.$readPreference as Record<string, unknown>;
  const mode = modeOf(fields.get("mode")?.type, doc.mode);
  const tags = fields.get("tags");
  if (tags !== undefined) {
    if (tags.type !== 4) throw extractError("tags", "array", tags.type);
    const sets = doc.tags as unknown[];
    const matchesAny = sets.length === 0 || (sets.length === 1 && isEmptyDocument(sets[0]));
    if (mode === "primary" && !matchesAny) {
      throw new CommandError(2, "Only empty tags are allowed with primary read preference");
    }
  }
  checkMaxStaleness(fields.get("maxStalenessSeconds")?.type, doc.maxStalenessSeconds, mode);
  return mode;
}

function modeOf(type: number | undefined, value: unknown): ReadPreferenceMode {
  if (type === undefined) throw new CommandError(4, 'Missing expected field "mode"');
  if (type !== 2) throw extractError("mode", "string", type);
  if (MODES.includes(value as ReadPreferenceMode)) return value as ReadPreferenceMode;
  throw new CommandError(
    2,
    `Could not parse $readPreference mode '${value}'. Only the modes 'primary', 'primaryPreferred', ` +
      `'secondary', 'secondaryPreferred', and 'nearest' are supported. :: caused by :: ` +
      `Enumeration value '${value}' for field 'mode' is not a valid value.`,
  );
}

// bsonExtractIntegerFieldWithDefault: a number that is a whole 64-bit value.
function checkMaxStaleness(type: number | undefined, value: unknown, mode: ReadPreferenceMode): void {
  if (type === undefined) return;
  if (type !== 1 && type !== 16 && type !== 18 && type !== 19) {
    throw extractError("maxStalenessSeconds", "number", type);
  }
  const seconds = Number(value);
  if (!Number.isInteger(seconds)) {
    throw new CommandError(
      2,
      `Expected field "maxStalenessSeconds" to have a value exactly representable as a 64-bit integer, ` +
        `but found ${value}`,
    );
  }
  if (seconds === 0) return;
  if (seconds < 0) throw new CommandError(2, "maxStalenessSeconds must be a non-negative integer");
  if (seconds < MIN_MAX_STALENESS_SECONDS) {
    throw new CommandError(
      160,
      `maxStalenessSeconds value can not be less than ${MIN_MAX_STALENESS_SECONDS}`,
    );
  }
  if (mode === "primary") {
    throw new CommandError(2, "maxStalenessSeconds can not be set for the primary mode");
  }
}

function extractError(field: string, expected: string, type: number): CommandError {
  return new CommandError(
    14,
    `"${field}" had the wrong type. Expected ${expected}, found ${bsonTypeName(type)}`,
  );
}

function isEmptyDocument(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    Object.keys(value).length === 0;
}

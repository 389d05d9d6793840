// Typed reads of command fields with mongod's IDL errors: 40414 for a missing required field,
// 14 TypeMismatch for a field of the wrong BSON type.
import { CommandError } from "./errors.ts";
import type { Document } from "./wire.ts";

interface FieldTypes {
  string: string;
  number: number;
  boolean: boolean;
  object: Document;
  array: unknown[];
}

/**
 * A required field.
 * @param cmd the command document
 * @param command the command name, for the error message
 * @param name the field name
 * @param type the expected type
 * @returns the value
 * @throws CommandError 40414 when missing, 14 when of another type
 */
export function requiredField<K extends keyof FieldTypes>(
  cmd: Document,
  command: string,
  name: string,
  type: K,
): FieldTypes[K] {
  const value = optionalField(cmd, command, name, type);
  if (value === undefined) {
    throw new CommandError(40414, `BSON field '${command}.${name}' is missing but a required field`);
  }
  return value;
}

/**
 * An optional field.
 * @param cmd the command document
 * @param command the command name, for the error message
 * @param name the field name
 * @param type the expected type
 * @returns the value, or undefined when absent
 * @throws CommandError 14 when of another type
 */
export function optionalField<K extends keyof FieldTypes>(
  cmd: Document,
  command: string,
  name: string,
  type: K,
): FieldTypes[K] | undefined {
  const value = cmd[name];
  if (value === undefined) return undefined;
  const actual = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  if (actual !== type || (type === "object" && isBsonValue(value))) {
    throw new CommandError(
      14,
      `BSON field '${command}.${name}' is the wrong type '${actual}', expected type '${type}'`,
    );
  }
  return value as FieldTypes[K];
}

/** bson class instances (Binary, ObjectId, …) are objects to JS but not BSON documents. */
function isBsonValue(value: unknown): boolean {
  return typeof value === "object" && value !== null && "_bsontype" in value;
}

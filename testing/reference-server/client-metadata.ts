// hello's `client` document, checked as mongod 7.0 checks it (src/mongo/rpc/metadata/client_metadata.cpp):
// at most 1024 bytes on a mongod (185), `driver` and `os` documents required (183), `driver.name`,
// `driver.version` and `os.type` required strings (183 / 14), `application.name` a string of at most 128
// bytes (14 / 184). Other fields are free.
import { CommandError } from "./errors.ts";
import { elementsOf } from "./idl.ts";

/** mongod's kMaxMongoDMetadataDocumentByteLength (mongos: 512). */
export const MAX_METADATA_BYTES = 1024;
/** mongod's kMaxApplicationNameByteLength. */
export const MAX_APP_NAME_BYTES = 128;

/**
 * Validates a client metadata element.
 * @param type the BSON type of hello's `client` field
 * @param bytes the value's bytes
 * @returns the application name ("" when there is none)
 * @throws CommandError 14, 183, 184 or 185 as mongod
 */
export function parseClientMetadata(type: number, bytes: Uint8Array): string {
  if (type !== 3) throw new CommandError(14, "The client metadata document must be a document");
  if (bytes.length > MAX_METADATA_BYTES) {
    throw new CommandError(
      185,
      `The client metadata document must be less then or equal to ${MAX_METADATA_BYTES} bytes`,
    );
  }
  let appName = "";
  let driver = false;
  let os = false;
  for (const element of elementsOf(bytes)) {
    if (element.name === "application") {
      appName = applicationName(subdocument("application", element.type, element.value));
    } else if (element.name === "driver") {
      requireStrings("driver", subdocument("driver", element.type, element.value), ["name", "version"]);
      driver = true;
    } else if (element.name === "os") {
      requireStrings("os", subdocument("os", element.type, element.value), ["type"]);
      os = true;
    }
  }
  if (!driver) throw missing("Missing required sub-document 'driver' in the client metadata document");
  if (!os) throw missing("Missing required sub-document 'os' in the client metadata document");
  return appName;
}

function subdocument(name: string, type: number, value: Uint8Array): Uint8Array {
  if (type !== 3) {
    throw new CommandError(
      14,
      `The '${name}' field is required to be a BSON document in the client metadata document`,
    );
  }
  return value;
}

/** mongod's parseApplicationDocument: the first `name` decides; no name means no app name. */
function applicationName(bytes: Uint8Array): string {
  const element = elementsOf(bytes).find((e) => e.name === "name");
  if (element === undefined) return "";
  if (element.type !== 2) {
    throw new CommandError(
      14,
      "The 'application.name' field must be a string in the client metadata document",
    );
  }
  // A BSON string: int32 length (with the trailing NUL), the UTF-8 bytes, NUL.
  const byteLength = element.value.length - 5;
  if (byteLength > MAX_APP_NAME_BYTES) {
    throw new CommandError(
      184,
      `The 'application.name' field must be less then or equal to ${MAX_APP_NAME_BYTES} bytes in the client metadata document`,
    );
  }
  return new TextDecoder().decode(element.value.subarray(4, element.value.length - 1));
}

function requireStrings(document: string, bytes: Uint8Array, names: readonly string[]): void {
  const elements = elementsOf(bytes);
  for (const element of elements) {
    if (names.includes(element.name) && element.type !== 2) {
      throw new CommandError(
        14,
        `The '${document}.${element.name}' field must be a string in the client metadata document`,
      );
    }
  }
  for (const name of names) {
    if (!elements.some((e) => e.name === name)) {
      throw missing(`Missing required field '${document}.${name}' in the client metadata document`);
    }
  }
}

function missing(message: string): CommandError {
  return new CommandError(183, message);
}

// mongod's base64 decoder (src/mongo/util/base64.cpp, decodeImpl<Base64>, 7.0), shared by the string form
// of a SASL payload (sasl_payload.cpp) and SCRAM's ClientProof (sasl_scram_server_conversation.cpp), which
// both call base64::decode and let its exceptions out.
import { CommandError } from "./errors.ts";

const ALPHABET = /^[A-Za-z0-9+/]$/;

/**
 * Decodes base64 as mongod does: the length a multiple of 4 (10270 "invalid base64"), every character in
 * the standard alphabet (40537 "Invalid base64 character"), where `=` may stand only as the last one or
 * two characters (the third only when the fourth is one too; any other `=` is an invalid character).
 * Like mongod, the unused bits before the padding are not looked at, and "" decodes to nothing.
 * @param text the base64 text
 * @returns the decoded bytes
 * @throws CommandError 10270 or 40537 with mongod's message
 */
export function decodeBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new CommandError(10270, "invalid base64");
  // decodeImpl reads the final group's third character unless the fourth is "=", and its second always.
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  for (const char of text.slice(0, text.length - padding)) {
    if (!ALPHABET.test(char)) throw new CommandError(40537, "Invalid base64 character");
  }
  return new Uint8Array(Buffer.from(text, "base64"));
}

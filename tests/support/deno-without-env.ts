// Run by tests/e2e/first-contact.test.ts as `deno run --allow-read --no-prompt` (no --allow-env, or one that
// lists some variables; no --allow-net): an entry point's AWS credential chain (`/deno`'s, or `/node`'s with
// the argument `node`), as a user who forgot --allow-env, or granted only what it needs, meets it. Prints the
// error's code and message on one line each, or "found" and the access key ID. No network: without
// --allow-net Deno refuses the instance metadata request before anything is sent.
import process from "node:process";

const entry = process.argv[2] === "node" ? "../../src/transport/node.ts" : "../../src/transport/deno.ts";
const { awsCredentialProvider } = await import(entry);
try {
  const { accessKeyId } = await awsCredentialProvider()();
  console.log("found");
  console.log(accessKeyId);
} catch (err) {
  console.log((err as { code?: string }).code);
  console.log((err as Error).message);
}

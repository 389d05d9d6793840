// Run by tests/e2e/first-contact.test.ts as `deno run --allow-read --no-prompt` (no --allow-env, or one that
// lists some variables; no --allow-net): the /deno entry point's AWS credential chain, as a user who forgot
// --allow-env, or granted only what it needs, meets it. Prints the error's code and message on one line each,
// or "found" and the access key ID. No network: without --allow-net Deno refuses the instance metadata
// request before anything is sent.
import { awsCredentialProvider } from "../../src/transport/deno.ts";

try {
  const { accessKeyId } = await awsCredentialProvider()();
  console.log("found");
  console.log(accessKeyId);
} catch (err) {
  console.log((err as { code?: string }).code);
  console.log((err as Error).message);
}

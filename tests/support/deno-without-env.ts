// Run by tests/e2e/first-contact.test.ts as `deno run --allow-read --no-prompt` (no --allow-env, no
// --allow-net): the /deno entry point's AWS credential chain, as a user who forgot --allow-env meets it.
// Prints the error's code and message on one line each. No network: without --allow-net Deno refuses
// the instance metadata request before anything is sent.
import { awsCredentialProvider } from "../../src/transport/deno.ts";

try {
  await awsCredentialProvider()();
  console.log("no error");
} catch (err) {
  console.log((err as { code?: string }).code);
  console.log((err as Error).message);
}

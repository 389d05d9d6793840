// Run by tests/transport/host-description-deno.test.ts as `deno run` with only the permissions the test
// names, on a pseudo-terminal (where Deno would prompt for any other): prints the client metadata document
// the Deno transport sends in hello, as JSON.
import { clientMetadata } from "../../src/client/handshake.ts";
import { denoTransport } from "../../src/transport/deno.ts";

console.log(JSON.stringify(clientMetadata(denoTransport)));

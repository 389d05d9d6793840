// Run by deno.test.ts in a Deno subprocess (whose trust store the test sets up with DENO_CERT): connects
// with the Deno transport (or, given "node", the Node one, as npm users on Deno do) and prints the outcome
// as one line of JSON, `{ "ok": true }` or the error's code and message. Arguments: the server's
// host:port, the tlsCAFile to pin or "-" for none, the entry point ("deno" or "node"), and the port of a
// SOCKS5 proxy on 127.0.0.1 to go through, if any.
import process from "node:process";

const [address, caFile, entry = "deno", proxyPort] = process.argv.slice(2);
const { connect } = entry === "node"
  ? await import("../../src/transport/node.ts")
  : await import("../../src/transport/deno.ts");
const pin = caFile === "-" ? "" : `&tlsCAFile=${encodeURIComponent(caFile)}`;
const proxy = proxyPort === undefined ? "" : `&proxyHost=127.0.0.1&proxyPort=${proxyPort}`;
try {
  const conn = await connect(`mongodb://alice:alice-pw@${address}/?tls=true${pin}${proxy}`, {
    connectTimeoutMS: 10_000,
  });
  await conn.close();
  console.log(JSON.stringify({ ok: true }));
} catch (err) {
  const { code, message } = err as { code?: string; message?: string };
  console.log(JSON.stringify({ code, message }));
}

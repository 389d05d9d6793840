// Asks for a hidden line as the CLI does, and prints what came back as JSON (run on a terminal by
// tests/transport/terminal.test.ts). HIDDEN_LINE_TIMEOUT_MS bounds the wait.
import process from "node:process";
import { readHiddenLine } from "../../src/transport/terminal.ts";

const timeoutMs = Number(process.env.HIDDEN_LINE_TIMEOUT_MS ?? 10_000);
const line = await readHiddenLine("Secret: ", AbortSignal.timeout(timeoutMs));
console.log(`result=${JSON.stringify(line === undefined ? "(no terminal)" : line)}`);
// Deno keeps a read of stdin pending after the signal fired: end here, as the CLI does.
process.exit(0);

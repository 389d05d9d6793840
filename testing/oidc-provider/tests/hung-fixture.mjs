// A fixture that hangs before it listens, as ./fixture.mjs once did in a CI run: it records that it
// started (its pid appended to the settings' `startedFile`) and never prints its ready line.
import { appendFileSync } from "node:fs";
import process from "node:process";

appendFileSync(JSON.parse(process.argv[2]).startedFile, `${process.pid}\n`);
setInterval(() => {}, 1000);

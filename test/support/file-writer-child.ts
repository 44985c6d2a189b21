// Writes to an embedded JSON collection as fast as it can until killed (kill -9 test). Env: FILE.
import { JsonFileCollection } from "../../src/records/json-file-collection.ts";

const docs = new JsonFileCollection<{ n: number; pad: string }>(process.env.FILE!);
let n = 0;
process.stdout.write("writing\n");
for (;;) await docs.mutate((d) => d.push({ n: ++n, pad: "x".repeat(2000) }));

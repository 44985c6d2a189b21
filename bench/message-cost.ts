/**
 * `npx tsx bench/message-cost.ts`: milliseconds and peak RSS for one long hostile message
 * through the turn processor (embedded stores), the median of RUNS after a warm-up. Results are
 * recorded in bench/message-cost.md.
 */
import { testApp } from "../test/support/test-app.ts";

const RUNS = Number(process.env.RUNS ?? 15);
const CASES: Array<[string, string]> = [
  ["4,096-letter word", "a".repeat(4096)],
  ['4,096 chars of "1."', "1.".repeat(2048)],
  ["4,096 chars of Vietnamese words", "tôi muốn ủng hộ ".repeat(256)],
  ["60,000-letter word", "a".repeat(60_000)],
  ['100,000 chars of "1."', "1.".repeat(50_000)],
];

const app = await testApp();
let n = 0;
const turn = (text: string) =>
  app.turns.process({ channel: "bench", messageId: `m${++n}`, conversationId: `c${n}`, userId: "u", text });
for (const [, text] of CASES) await turn(text);
for (const [name, text] of CASES) {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await turn(text);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(`${name}: median ${median.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms`);
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
await app.close();

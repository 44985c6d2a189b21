import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.ts";
import type { HttpServer } from "../../src/http/http-server.ts";
import type { PledgeMethod } from "../../src/records/pledge.ts";
import { buildServer, startServices } from "../../src/server.ts";
import { StaffAccounts } from "../../src/staff/staff-accounts.ts";
import { browserAvailable, launchBrowser, screenshotOnFailure } from "../support/browser.ts";
import { FakeTelegram } from "../support/fake-telegram.ts";
import { testApp } from "../support/test-app.ts";

/**
 * The staff console driven in Debian's Chromium, as campaign staff use it: in Vietnamese and
 * English, on a desktop and a phone. One browser for the file; each test opens its own context
 * (its own cookies). Screenshots of each page go to docs/images/ (shown in the README), and a
 * failing test leaves one in artifacts/screenshots/.
 */

const TOKEN = "123456789:AAHtestTokenForTheFakeBotApi";
const PASSWORD = "mật khẩu đủ dài 2026";
const PERSON = 7001; // a Telegram user who asks to talk to staff
const STAFF_CHAT = 555; // the organiser's own Telegram chat, for test sends
const IMAGES = join(process.cwd(), "docs", "images");
const DESKTOP = { viewport: { width: 1280, height: 860 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

const available = browserAvailable("staff console (test/browser/console.e2e.test.ts)");

let api: FakeTelegram;
let app: App & { clock: { now: Date } };
let http: HttpServer;
let services: { stop(): Promise<void> };
let browser: Browser;
let base = "";

beforeAll(async () => {
  if (!available) return;
  api = await new FakeTelegram(TOKEN).start();
  app = await testApp({
    today: "2026-11-18",
    env: {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: "s3cret_webhook-token-0123456789",
      TELEGRAM_API_ROOT: api.root,
      TELEGRAM_STAFF_IDS: String(STAFF_CHAT),
      STAFF_DIGEST_AT: "off",
      QUIET_HOURS: "off",
      // 40 a second: 200 subscribers take about five seconds, long enough to watch and to pause.
      BROADCAST_RATE_TELEGRAM: "40",
      BROADCAST_BATCH_SIZE: "20",
      BROADCAST_PAUSE_POLL_MS: "50",
    },
  });
  await seed();
  http = buildServer(app);
  services = await startServices(app, http);
  base = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}`;
  browser = await launchBrowser();
  mkdirSync(IMAGES, { recursive: true });
}, 60_000);

afterAll(async () => {
  if (!available) return;
  await browser?.close();
  await services?.stop();
  await http?.close();
  await app?.close();
  await api?.stop();
});

/** Staff, pledges over two weeks, 200 subscribers and one person waiting for an answer. */
async function seed(): Promise<void> {
  const accounts = new StaffAccounts(app.stores.keyValue);
  const add = (name: string, role: "viewer" | "organiser" | "admin", lang: "vi" | "en") =>
    accounts.put({ name, role, lang, password: PASSWORD }, "test", app.now());
  await add("Nguyễn Thị Lan", "admin", "vi");
  await add("Anna Trần", "organiser", "en");
  await add("Minh", "viewer", "en");

  const today = app.clock.now;
  const orgs = ["Bệnh viện Đa khoa", "Trường THPT Lê Lợi", "Công an phường", undefined];
  const wards = ["Phường An Hòa", "Phường Tân An", "Xã Mỹ Khánh"];
  const methods: PledgeMethod[] = ["transfer", "cash", "payroll", "sms", "transfer"];
  for (let i = 0; i < 40; i++) {
    app.clock.now = new Date(today.getTime() - (i % 13) * 86_400_000 - i * 60_000);
    await app.records.pledges.create({
      idempotencyKey: `seed-${i}`,
      amount: [200_000, 500_000, 1_000_000, 50_000][i % 4]!,
      method: methods[i % 5]!,
      channel: i % 3 ? "telegram" : "zalo-oa",
      conversationId: String(8000 + i),
      userKey: `telegram:${8000 + i}`,
      organisation: orgs[i % 4],
      ward: wards[i % 3],
      ...(i % 2 ? { name: `Người ủng hộ ${i}`, phone: `+8491234${String(5000 + i)}` } : {}),
    });
  }
  app.clock.now = today;

  for (let i = 0; i < 200; i++)
    await app.records.subscribers.setOptIn("telegram", String(10_000 + i), true, i % 4 ? "vi" : "en", today);

  // A person asks for staff on Telegram, in Vietnamese, with their question.
  let n = 0;
  const say = (m: object) =>
    app.turns.process({
      channel: "telegram",
      messageId: `p-${++n}`,
      conversationId: String(PERSON),
      userId: String(PERSON),
      locale: "vi",
      ...m,
    });
  await say({ payload: "flow:handoff" });
  await say({ text: "Tôi muốn nộp tiền mặt ở phường thì đến đâu?" });
}

async function open(
  name: string,
  lang: "vi" | "en",
  device: object = DESKTOP,
): Promise<{ page: Page; context: BrowserContext }> {
  const context = await browser.newContext({ ...device, locale: lang === "vi" ? "vi-VN" : "en-GB" });
  const page = await context.newPage();
  page.on("dialog", (d) => void d.accept());
  await page.goto(`${base}/admin`);
  // The console remembers the chosen language per browser; a fresh context starts from the account's.
  await page.locator("input[name=name]").fill(name);
  await page.locator("input[name=password]").fill(PASSWORD);
  await page.locator("form.login button[type=submit]").click();
  await page.locator("header#top:not([hidden])").waitFor();
  return { page, context };
}

/** Runs a browser step; on failure keeps a screenshot for a person to look at. */
async function inBrowser(name: string, page: Page, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (err) {
    const shot = await screenshotOnFailure(page, name).catch(() => "(no screenshot)");
    throw new Error(`${(err as Error).message}\nscreenshot: ${shot}`, { cause: err });
  }
}

/** A page as staff see it, for the README; a phone shows its first screen, as long lists run on. */
const image = (page: Page, name: string) =>
  page.screenshot({ path: join(IMAGES, `${name}.png`), fullPage: !name.endsWith("-phone") });

describe.runIf(available)("staff console in a real browser", { timeout: 90_000 }, () => {
  it("logs an admin in and shows the overview in Vietnamese: today, this week, to date, by method, organisation, ward and day", async () => {
    const context = await browser.newContext({ ...DESKTOP, locale: "vi-VN" });
    const page = await context.newPage();
    await inBrowser("overview-vi", page, async () => {
      await page.goto(`${base}/admin`);
      await page.getByRole("heading", { name: "Đăng nhập" }).waitFor();
      await image(page, "console-login");
      await page.locator("input[name=name]").fill("Nguyễn Thị Lan");
      await page.locator("input[name=password]").fill("sai mật khẩu rồi");
      await page.getByRole("button", { name: "Đăng nhập" }).click();
      await expect.poll(() => page.getByRole("alert").textContent()).toBe("Tên hoặc mật khẩu không đúng.");
      await page.locator("input[name=password]").fill(PASSWORD);
      await page.getByRole("button", { name: "Đăng nhập" }).click();

      await page.getByRole("heading", { name: "Tổng quan" }).waitFor();
      const all = await app.records.pledges.totals();
      const cards = page.locator(".card");
      await expect.poll(() => cards.nth(2).textContent()).toContain(`${all.count} khoản`);
      expect(await cards.nth(2).textContent()).toContain(new Intl.NumberFormat("vi-VN").format(all.amount));
      await expect
        .poll(() => page.locator(".panel").filter({ hasText: "Theo phường/xã" }).textContent())
        .toContain("Phường An Hòa");
      expect(await page.locator(".panel").filter({ hasText: "Theo cách ủng hộ" }).textContent()).toContain(
        "Trừ lương",
      );
      await page.locator("#chart canvas").first().waitFor();
      expect(await page.locator(".caveat").textContent()).toContain("chưa phải số tiền đã nhận");
      await image(page, "console-overview");
    });
    await context.close();
  });

  it("marks a pledge paid and cancels another with a reason, both audited under the staff member's name", async () => {
    const { page, context } = await open("Nguyễn Thị Lan", "vi");
    await inBrowser("pledges-vi", page, async () => {
      await page.getByRole("link", { name: "Khoản ủng hộ" }).click();
      await page.locator("select[name=status]").selectOption("pledged");
      await page.locator("input[name=ward]").fill("Phường An Hòa");
      await page.getByRole("button", { name: "Lọc" }).click();
      const rows = page.locator("tbody tr");
      await expect.poll(() => rows.count()).toBeGreaterThan(2);
      // The filter held: every row is in that ward and still pledged.
      for (const text of await rows.allTextContents()) {
        expect(text).toContain("Phường An Hòa");
        expect(text).toContain("Đã đăng ký");
      }
      await image(page, "console-pledges");
      const first = rows.first();
      const paid = (await first.getAttribute("data-reference"))!;
      await first.getByRole("button", { name: "Đánh dấu đã nộp" }).click();
      await expect.poll(() => page.locator("#toast").textContent()).toBe(`${paid}: Đã nộp.`);
      expect((await app.records.pledges.findByReference(paid))!.status).toBe("paid");

      const second = page.locator("tbody tr").first();
      const cancelled = (await second.getAttribute("data-reference"))!;
      expect(cancelled).not.toBe(paid); // the paid one left the "pledged" list
      await second.getByRole("button", { name: "Hủy" }).click();
      await second.getByRole("button", { name: "Xác nhận hủy" }).click();
      await expect.poll(() => page.locator("#toast").textContent()).toBe("Hãy ghi lý do hủy.");
      await second.locator("input[name=reason]").fill("Người ủng hộ gọi điện xin hủy");
      await second.getByRole("button", { name: "Xác nhận hủy" }).click();
      await expect
        .poll(async () => (await app.records.pledges.findByReference(cancelled))?.status)
        .toBe("cancelled");

      const audit = (await app.records.audit.list(50)).filter((e) => e.action === "pledge.set_status");
      expect(audit.slice(0, 2).map((e) => [e.actor, e.target, e.details])).toEqual(
        expect.arrayContaining([
          [
            "staff:Nguyễn Thị Lan",
            cancelled,
            { status: "cancelled", reason: "Người ủng hộ gọi điện xin hủy" },
          ],
          ["staff:Nguyễn Thị Lan", paid, { status: "paid" }],
        ]),
      );
    });
    await context.close();
  });

  it("exports the filtered pledges as the spreadsheet-safe CSV", async () => {
    const { page, context } = await open("Nguyễn Thị Lan", "vi");
    await inBrowser("csv-vi", page, async () => {
      await page.getByRole("link", { name: "Khoản ủng hộ" }).click();
      await page.locator("select[name=method]").selectOption("payroll");
      await page.getByRole("button", { name: "Lọc" }).click();
      await expect.poll(() => page.locator("tbody tr").count()).toBe(8);
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("link", { name: "Tải CSV" }).click(),
      ]);
      const csv = readFileSync((await download.path())!, "utf8");
      const lines = csv.trimEnd().split("\r\n");
      expect(lines[0]).toBe(
        "\uFEFFreference,createdAt,amount,method,status,channel,organisation,ward,name,phone,reminders",
      );
      expect(lines).toHaveLength(1 + 8);
      expect(lines.slice(1).every((l) => l.split(",")[3] === "payroll")).toBe(true);
    });
    await context.close();
  });

  it("answers a request in the page; the answer reaches the person's Telegram chat", async () => {
    const { page, context } = await open("Nguyễn Thị Lan", "vi");
    await inBrowser("requests-vi", page, async () => {
      await page.getByRole("link", { name: "Yêu cầu" }).click();
      const request = page
        .locator(".request")
        .filter({ hasText: "Tôi muốn nộp tiền mặt ở phường thì đến đâu?" });
      await request.waitFor();
      expect(await request.textContent()).toContain("telegram");
      await image(page, "console-requests");
      api.clear();
      await request.locator("textarea").fill("Anh/chị đến Ủy ban MTTQ phường, tầng 1, giờ hành chính.");
      await request.getByRole("button", { name: "Gửi câu trả lời" }).click();
      await expect.poll(() => page.locator("#toast").textContent()).toBe("Đã gửi câu trả lời.");
      const toPerson = api.sent(PERSON).map((m) => String(m.text));
      expect(toPerson.join("\n")).toContain("Anh/chị đến Ủy ban MTTQ phường, tầng 1, giờ hành chính.");
      expect(await app.records.handoffs.open()).toEqual([]);
      await page.locator(".request").first().waitFor({ state: "detached" });
      // It moves to the answered ones, with who answered.
      const answered = page.locator(".answered .panel").first();
      await answered.waitFor();
      expect(await answered.textContent()).toContain("staff:Nguyễn Thị Lan trả lời lúc");
      expect(await answered.textContent()).toContain("Tôi muốn nộp tiền mặt ở phường thì đến đâu?");
    });
    await context.close();
  });

  it("composes in English, previews per language, tests, sends to 200 subscribers and watches it finish", async () => {
    const { page, context } = await open("Anna Trần", "en");
    await inBrowser("broadcast-en", page, async () => {
      await page.getByRole("link", { name: "Broadcasts" }).click();
      await page.getByRole("link", { name: "New broadcast" }).click();
      await page.getByLabel("Title (staff only)").fill("Peak month reminder");
      await page.getByLabel("Vietnamese text").fill("Tháng cao điểm đã bắt đầu. Cùng chung tay nhé!");
      await page.getByLabel("English text (optional)").fill("The peak month has begun. Join us!");
      await page.getByRole("button", { name: "Add a button" }).click();
      await page.getByLabel("Label (Vietnamese)").fill("Đăng ký ủng hộ");
      await page.getByLabel("Label (English)").fill("Pledge now");
      // The recipient count follows the audience as it is chosen.
      await expect.poll(() => page.locator(".recipients").textContent()).toBe("Will reach 200 people");
      await page.locator("input[name=lang][value=en]").check();
      await expect.poll(() => page.locator(".recipients").textContent()).toBe("Will reach 50 people");
      await page.locator("input[name=lang][value=en]").uncheck();
      await expect.poll(() => page.locator(".recipients").textContent()).toBe("Will reach 200 people");
      await image(page, "console-broadcast-compose");
      await page.getByRole("button", { name: "Save draft" }).click();

      await page.locator(".preview [data-lang=vi] .bubble").waitFor();
      expect(await page.locator(".preview [data-lang=vi] .bubble").textContent()).toBe(
        "Tháng cao điểm đã bắt đầu. Cùng chung tay nhé!Đăng ký ủng hộ",
      );
      expect(await page.locator(".preview [data-lang=en] .bubble").textContent()).toBe(
        "The peak month has begun. Join us!Pledge now",
      );
      await image(page, "console-broadcast-preview");

      api.clear();
      await page.locator("select[name=testChannel]").selectOption("telegram");
      await page.getByLabel("Your id on that channel").fill(String(STAFF_CHAT));
      await page.getByRole("button", { name: "Send me a test" }).click();
      await expect.poll(() => page.locator("#toast").textContent()).toBe("Test sent (result: sent).");
      expect(api.sent(STAFF_CHAT).map((m) => m.text)).toEqual(["The peak month has begun. Join us!"]);
      api.clear();

      api.block(10_001); // one subscriber has blocked the bot since opting in
      await page.getByRole("button", { name: "Send now" }).click();
      await page.locator(".progress").waitFor();
      // Live progress while it goes, then the report.
      await expect.poll(() => page.locator(".progress h2").textContent(), { timeout: 30_000 }).toBe("Report");
      expect(await page.locator("tr[data-key=sent] td.num").textContent()).toBe("199");
      expect(await page.locator("tr[data-key=blocked] td.num").textContent()).toBe("1");
      expect(await page.locator("h1 .status").textContent()).toBe("done");
      // Each subscriber was tried once; the one who blocked the bot is listed by the report.
      expect(new Set(api.sent().map((m) => String(m.chat_id))).size).toBe(200);
      expect(api.sent()).toHaveLength(200);
      expect(api.sent(10_000).map((m) => m.text)).toEqual(["The peak month has begun. Join us!"]); // i % 4 === 0 reads English
      await page.locator(".problems tbody tr").first().waitFor();
      expect(await page.locator(".problems tbody tr").allTextContents()).toEqual([
        "telegram:10001viBlocked the bot",
      ]);
      await image(page, "console-broadcast-report");
    });
    await context.close();
  });

  it("pauses, resumes and cancels a broadcast on a phone, in Vietnamese", async () => {
    const { page, context } = await open("Nguyễn Thị Lan", "vi", PHONE);
    await inBrowser("pause-vi-phone", page, async () => {
      await page.getByRole("link", { name: "Gửi tin" }).click();
      await page.getByRole("link", { name: "Soạn tin mới" }).click();
      await page.getByLabel("Tiêu đề (chỉ cán bộ thấy)").fill("Nhắc nhắn tin SMS");
      await page.getByLabel("Nội dung tiếng Việt").fill("Nhắn tin ủng hộ đến 1409 nhé.");
      // The one who blocked the bot in the broadcast before is no longer counted.
      await expect.poll(() => page.locator(".recipients").textContent()).toBe("Sẽ gửi tới 199 người");
      await page.getByRole("button", { name: "Lưu bản nháp" }).click();
      await page.locator(".preview .bubble").first().waitFor();
      api.clear();
      await page.getByRole("button", { name: "Gửi ngay" }).click();
      await page.getByRole("button", { name: "Tạm dừng" }).click();
      await expect.poll(() => page.locator("h1 .status").textContent()).toBe("tạm dừng");
      const atPause = api.sent().length;
      expect(atPause).toBeLessThan(200);
      await new Promise((r) => setTimeout(r, 600));
      expect(api.sent().length - atPause).toBeLessThanOrEqual(20); // at most the batch in hand
      await image(page, "console-broadcast-paused-phone");
      await page.getByRole("button", { name: "Tiếp tục" }).click();
      await expect.poll(() => page.locator("h1 .status").textContent()).toBe("đang gửi");
      await page.getByRole("button", { name: "Hủy gửi" }).click();
      await expect.poll(() => page.locator("h1 .status").textContent()).toBe("đã hủy");
      await expect.poll(() => page.locator(".progress h2").textContent()).toBe("Kết quả");
      const sent = Number(await page.locator("tr[data-key=sent] td.num").textContent());
      expect(sent).toBeLessThan(200);
      await new Promise((r) => setTimeout(r, 500));
      expect(api.sent().length).toBeLessThanOrEqual(sent + 20);
    });
    await context.close();
  });

  it("refuses a viewer an organiser's action, in the viewer's language, on a phone", async () => {
    const { page, context } = await open("Minh", "en", PHONE);
    await inBrowser("viewer-en-phone", page, async () => {
      await page.getByRole("link", { name: "Pledges" }).click();
      const row = page
        .locator("tbody tr")
        .filter({ has: page.getByRole("button", { name: "Mark paid" }) })
        .first();
      const reference = (await row.getAttribute("data-reference"))!;
      await row.getByRole("button", { name: "Mark paid" }).click();
      await expect
        .poll(() => page.locator("#toast").textContent())
        .toBe("This needs the “organiser” role or higher.");
      expect((await app.records.pledges.findByReference(reference))!.status).toBe("pledged");
      await image(page, "console-pledges-phone");
      // No audit page for a viewer; the API refuses it too.
      expect(await page.getByRole("link", { name: "Audit log" }).count()).toBe(0);
      // Switching language is one click and applies to refusals as well.
      await page.getByRole("button", { name: "Tiếng Việt" }).click();
      await page.getByRole("button", { name: "Đánh dấu đã nộp" }).first().click();
      await expect
        .poll(() => page.locator("#toast").textContent())
        .toBe("Việc này cần quyền “tổ chức” trở lên.");
    });
    await context.close();
  });

  it("shows the audit log to an admin, filtered by who did it", async () => {
    const { page, context } = await open("Nguyễn Thị Lan", "vi");
    await inBrowser("audit-vi", page, async () => {
      await page.getByRole("link", { name: "Nhật ký" }).click();
      await page.locator("input[name=actor]").fill("Anna");
      await page.getByRole("button", { name: "Lọc" }).click();
      await expect
        .poll(async () => (await page.locator("tbody tr").allTextContents()).length)
        .toBeGreaterThan(3);
      const rows = await page.locator("tbody tr").allTextContents();
      expect(rows.every((r) => r.includes("staff:Anna Trần"))).toBe(true);
      expect(rows.join("\n")).toContain("broadcast.start");
      await image(page, "console-audit");
    });
    await context.close();
  });
});

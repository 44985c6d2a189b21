import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { App } from "../../src/app.ts";
import type { HttpServer } from "../../src/http/http-server.ts";
import { buildServer } from "../../src/server.ts";
import { browserAvailable, launchBrowser, screenshotOnFailure } from "../support/browser.ts";
import { testApp } from "../support/test-app.ts";

/**
 * The web chat as a citizen uses it, in Debian's Chromium: one browser for the file, a fresh
 * context (a new person, empty localStorage) per test. A failed test leaves a screenshot in
 * artifacts/screenshots/.
 */
const available = browserAvailable("web chat in a browser");
let browser: Browser;
let app: App;
let http: HttpServer;
let base: string;

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

async function open(name: string, options: BrowserContextOptions = DESKTOP): Promise<Page> {
  const context = await browser.newContext({
    ...options,
    permissions: ["clipboard-read", "clipboard-write"],
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  onTestFailed(async () => {
    const path = await screenshotOnFailure(page, name);
    console.error(`screenshot: ${path}${errors.length ? `; page errors: ${errors.join(" | ")}` : ""}`);
  });
  await page.goto(base);
  await page.locator(".choice").first().waitFor(); // the welcome menu
  return page;
}

const button = (page: Page, name: string) =>
  page.locator("#quick").getByRole("button", { name, exact: true });
const say = async (page: Page, text: string) => {
  await page.getByRole("textbox").fill(text);
  await page.getByRole("textbox").press("Enter");
};
const userId = (page: Page) => page.evaluate(() => localStorage.getItem("chungtay.user")!);
const pledgesOf = async (page: Page) => app.records.pledges.listByUser(`webchat:${await userId(page)}`);
/** The person's bubbles, as they read. */
const mine = (page: Page) => page.locator(".row.me .text").allInnerTexts();

/** From the menu to the confirmation question, by clicking (the amount is typed: it has no buttons). */
async function upToConfirmation(page: Page): Promise<void> {
  await button(page, "💝 Đăng ký ủng hộ").click();
  await say(page, "1 triệu");
  await button(page, "Chuyển khoản").click();
  await button(page, "Không").click();
  await button(page, "✅ Xác nhận").waitFor();
}

describe.runIf(available)("web chat in Chromium", () => {
  beforeAll(async () => {
    browser = await launchBrowser();
    // 2019-10-20: inside the campaign's SMS window. One browser sends faster than a person: no
    // per-IP limit here (test/webchat.test.ts covers it).
    app = await testApp({ env: { WEBCHAT_MESSAGES_PER_MIN: "100000" } });
    http = buildServer(app);
    base = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}/`;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await app?.close();
  });

  it("a pledge by clicking: a reference chip that copies, speakers named, focus back in the input", async () => {
    const page = await open("pledge-by-clicking");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("input"); // on load
    await upToConfirmation(page);
    await button(page, "✅ Xác nhận").click();
    const chip = page.locator(".ref").first();
    await chip.waitFor();
    const [pledge] = await pledgesOf(page);
    expect(await chip.locator("code").innerText()).toBe(pledge!.reference);
    await chip.getByRole("button").click();
    await expect.poll(() => chip.getByRole("button").innerText()).toContain("Đã chép");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(pledge!.reference);

    // Who speaks is said to screen readers; each message has its time; focus returns to the input.
    expect(await page.getByRole("log").getAttribute("aria-label")).toBe("Cuộc trò chuyện với Chung Tay");
    expect(await page.locator(".row.bot .sr-only").first().textContent()).toBe("Chung Tay nói: ");
    expect(await page.locator(".row.me .sr-only").first().textContent()).toBe("Bạn nói: ");
    expect(await page.locator(".row.me time").last().innerText()).toMatch(/^\d\d:\d\d$/);
    await button(page, "Có").click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("input");

    // Links are links: the portal (https) from the reply, the hotline (tel:) from the text.
    await say(page, "nhắn tin ủng hộ thế nào");
    const portal = page.getByRole("link", { name: /Cổng nhân đạo/ });
    await portal.waitFor();
    expect(await portal.getAttribute("href")).toBe("https://1400.vn");
    expect(await page.getByRole("link", { name: "1900 1530" }).getAttribute("href")).toBe("tel:19001530");
    expect(await portal.evaluate((a) => getComputedStyle(a).textDecorationLine)).toBe("underline");
  });

  it("a pledge by typing, with the typing indicator while the bot answers", async () => {
    const page = await open("pledge-by-typing");
    await page.route("**/webchat/messages", async (route) => {
      await new Promise((r) => setTimeout(r, 300)); // a slow network: the indicator must show
      await route.continue();
    });
    await say(page, "tôi muốn ủng hộ 500 nghìn");
    await page.locator(".typing").waitFor();
    expect(await page.locator(".typing").getAttribute("aria-label")).toBe("Chung Tay đang trả lời…");
    await button(page, "Tiền mặt tại Mặt trận").waitFor();
    expect(await page.locator(".typing").count()).toBe(0);
    await say(page, "tiền mặt");
    await button(page, "Có").waitFor();
    await say(page, "không");
    await button(page, "✅ Xác nhận").waitFor();
    await say(page, "xác nhận");
    await page.locator(".ref").first().waitFor();
    const pledges = await pledgesOf(page);
    expect(pledges.map((p) => [p.amount, p.method])).toEqual([[500_000, "cash"]]);
    // A person typing an answer does not leave the question's buttons pressable.
    expect(await page.locator(".choice:not([disabled])").allInnerTexts()).toEqual(["Có", "Không"]);
  });

  it("a double click on ✅ Xác nhận confirms once and answers nothing else", async () => {
    const page = await open("double-click");
    await upToConfirmation(page);
    await button(page, "✅ Xác nhận").dblclick();
    await page.locator(".ref").first().waitFor();
    await button(page, "Có").waitFor();
    expect(await mine(page)).toEqual([
      "💝 Đăng ký ủng hộ",
      "1 triệu",
      "Chuyển khoản",
      "Không",
      "✅ Xác nhận",
    ]);
    expect(await pledgesOf(page)).toHaveLength(1);
    // The next question still waits, its buttons live; the answered ones are disabled.
    expect(await button(page, "Không").isEnabled()).toBe(true);
    expect(await page.locator(".choice.chosen").count()).toBe(0); // the answered dock was replaced
    // With a fast reply the second half of a double click (a click with detail 2) can land on the
    // next question's button in the same place: it is ignored.
    await button(page, "Không").dispatchEvent("click", { detail: 2 });
    await new Promise((r) => setTimeout(r, 300));
    expect((await mine(page)).at(-1)).toBe("✅ Xác nhận");
  });

  it("a reload keeps the conversation; a form that cannot be resumed says so", async () => {
    const page = await open("reload");
    await button(page, "💝 Đăng ký ủng hộ").click();
    await say(page, "1 triệu");
    await button(page, "Chuyển khoản").waitFor();
    const before = await page.locator(".row").allInnerTexts();

    await page.reload();
    await button(page, "Chuyển khoản").waitFor();
    await page.waitForLoadState("networkidle");
    expect(await page.locator(".row").allInnerTexts()).toEqual(before); // nothing lost, nothing doubled
    await button(page, "Chuyển khoản").click();
    await button(page, "Có").waitFor();

    // The session is gone (expired, or the store was wiped): the page says so, then the menu.
    await app.store.delete(`webchat:${await userId(page)}`);
    await page.reload();
    const note = page.locator(".note");
    await note.waitFor();
    expect(await note.innerText()).toContain("không còn được lưu");
    await button(page, "💝 Đăng ký ủng hộ").waitFor();

    // "Delete my data" also deletes this browser's copy: a reload shows none of it.
    await button(page, "🗑️ Xóa dữ liệu của tôi").click();
    await button(page, "Có").click();
    await page.getByText("Đã xóa dữ liệu cá nhân của bạn").waitFor();
    expect(await mine(page)).toEqual([]);
    await page.reload();
    await page.locator(".choice").first().waitFor();
    expect(await page.locator(".row").allInnerTexts()).not.toContainEqual(expect.stringContaining("1 triệu"));
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain("1 triệu");
  });

  it("English: the page chrome and <html lang> follow the conversation, also after a reload", async () => {
    const page = await open("english");
    await page.getByRole("button", { name: "Switch to English" }).click();
    await button(page, "💝 Pledge a donation").waitFor();
    const chrome = async () => ({
      lang: await page.evaluate(() => document.documentElement.lang),
      title: await page.title(),
      placeholder: await page.getByRole("textbox").getAttribute("placeholder"),
      send: await page.locator("#send").innerText(),
      switch: await page.locator("#language").innerText(),
    });
    const english = {
      lang: "en",
      title: "“For the Poor” Fund, Cần Thơ City",
      placeholder: "Type a message…",
      send: "Send",
      switch: "Tiếng Việt",
    };
    expect(await chrome()).toEqual(english);
    await page.reload();
    expect(await chrome()).toEqual(english); // before the server answers
    await button(page, "💝 Pledge a donation").waitFor();
    await page.route("**/webchat/messages", (route) => route.abort());
    await say(page, "hello");
    await page.locator(".note").waitFor();
    expect(await page.locator(".note").innerText()).toBe(
      "Could not reach the server; your message was not sent. Please try again.",
    );
    expect(await page.getByRole("textbox").inputValue()).toBe("hello"); // nothing typed is lost
  });

  it("on a 390×844 phone every answer button is in view, above the input bar", async () => {
    const page = await open("phone", PHONE);
    const inView = async () => {
      const bar = (await page.locator("#composer").boundingBox())!;
      const boxes = await Promise.all(
        (await page.locator("#quick .choice").all()).map((b) => b.boundingBox()),
      );
      expect(boxes.length).toBeGreaterThan(0);
      for (const box of boxes) {
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(390);
        expect(box!.y).toBeGreaterThanOrEqual(0);
        expect(box!.y + box!.height).toBeLessThanOrEqual(bar.y); // not under the input bar
      }
      return boxes.length;
    };
    expect(await inView()).toBe(10); // the whole menu
    await button(page, "💝 Đăng ký ủng hộ").tap();
    await say(page, "1 triệu");
    await button(page, "Nhắn tin SMS").waitFor();
    expect(await inView()).toBe(5); // all five ways to pay
    await button(page, "Trích lương qua công đoàn").tap();
    await button(page, "Có").waitFor();
    expect(await inView()).toBe(2);
  });
});

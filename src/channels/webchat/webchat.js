// The web chat page: plain browser JavaScript, served as a static file (no build step, no CDN).
// The transcript and the user id stay in this browser (localStorage), so a reload shows the
// conversation again and "my pledges" finds the same person; the server keeps the session.
"use strict";

(() => {
  const config = JSON.parse(document.getElementById("chat-config").textContent);
  const $ = (id) => document.getElementById(id);
  const log = $("log");
  const quick = $("quick");
  const input = $("input");
  const KEEP = 80; // transcript entries kept in the browser

  const storage = {
    get(key) {
      try {
        return JSON.parse(localStorage.getItem(key));
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        localStorage.setItem(key, JSON.stringify(value));
      } catch {
        // Private mode or full storage: the chat still works, only without memory.
      }
    },
  };
  const newId = () =>
    (crypto.randomUUID
      ? crypto.randomUUID()
      : String(Date.now()) + Math.random().toString(16).slice(2)
    ).replace(/[^A-Za-z0-9_-]/g, "");

  // No browser language is sent: many Vietnamese browsers say en-US, so the chat starts in the
  // default language and the header offers the other one.
  // The user id is issued and signed by the server (POST /webchat/session) and kept here.
  const ISSUED = /^w[A-Za-z0-9_-]{44}$/;
  let userId = null;
  try {
    userId = localStorage.getItem("chungtay.user");
  } catch {}
  if (!ISSUED.test(userId || "")) userId = null;
  const returning = Boolean(userId);
  const stateKey = "chungtay.chat";
  const pause = (res) =>
    new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get("retry-after") || 1)));
  /** The server's id for this browser, asked for once (again after a 401). */
  async function issuedId() {
    while (!userId) {
      const res = await fetch("/webchat/session", { method: "POST" });
      if (res.status === 429) {
        await pause(res);
        continue;
      }
      if (!res.ok) throw new Error(String(res.status));
      userId = (await res.json()).userId;
      try {
        localStorage.setItem("chungtay.user", userId);
      } catch {}
    }
    return userId;
  }
  /** items: {who: "bot" | "me" | "note", text, links?, buttons?, at}; waiting: a form in progress. */
  const state = Object.assign({ lang: config.lang, waiting: false, items: [] }, storage.get(stateKey));
  const save = () => {
    state.items = state.items.slice(-KEEP);
    storage.set(stateKey, state);
  };

  // ── language of the page chrome ────────────────────────────────────────────
  let lang = config.labels[state.lang] ? state.lang : config.lang;
  const t = (key) => config.labels[lang][key] ?? key;
  function applyLanguage(next) {
    if (!config.labels[next]) return;
    lang = next;
    state.lang = next;
    document.documentElement.lang = next;
    document.title = t("title");
    for (const el of document.querySelectorAll("[data-label]")) el.textContent = t(el.dataset.label);
    for (const el of document.querySelectorAll("[data-aria-label]"))
      el.setAttribute("aria-label", t(el.dataset.ariaLabel));
    input.placeholder = t("placeholder");
    input.setAttribute("aria-label", t("placeholder"));
    log.setAttribute("aria-label", t("log_label"));
    quick.setAttribute("aria-label", t("choices_label"));
    $("language").setAttribute("aria-label", t("other_language_label"));
    $("language").setAttribute("lang", lang === "vi" ? "en" : "vi");
  }

  // ── text: links, phone numbers and reference codes ─────────────────────────
  const TOKENS = new RegExp(
    [
      "(\\b" + config.referencePrefix + "-[0-9A-Z]{6}\\b)",
      '(https?:\\/\\/[^\\s<>"”’)]*[^\\s<>"”’).,;:!?])',
      // Vietnamese phone numbers: 0… or +84… with 9–10 more digits, or an 1800/1900 hotline, not
      // inside a longer number (no lookbehind: older iPhones' Safari cannot parse it).
      "(^|[^\\d.,/])((?:\\+84[ .]?|0)(?:\\d[ .]?){8,9}\\d|1[89]00[ .]?\\d{4}(?:\\d{2})?)(?![\\d.,]?\\d)",
    ].join("|"),
    "g",
  );

  function richText(text) {
    const span = document.createElement("span");
    span.className = "text";
    let last = 0;
    for (const m of text.matchAll(TOKENS)) {
      span.append(text.slice(last, m.index));
      if (m[1]) span.append(referenceChip(m[1]));
      else if (m[2]) span.append(link(m[2], m[2]));
      else span.append(m[3], link("tel:" + m[4].replace(/[ .]/g, ""), m[4]));
      last = m.index + m[0].length;
    }
    span.append(text.slice(last));
    return span;
  }

  function link(url, label) {
    const a = document.createElement("a");
    a.href = url;
    a.textContent = label;
    if (/^https?:/.test(url)) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    }
    return a;
  }

  function referenceChip(code) {
    const chip = document.createElement("span");
    chip.className = "ref";
    const c = document.createElement("code");
    c.textContent = code;
    const copy = document.createElement("button");
    copy.type = "button";
    copy.dataset.label = "copy";
    copy.textContent = t("copy");
    copy.onclick = async () => {
      await copyText(code);
      copy.textContent = "✓ " + t("copied");
      setTimeout(() => (copy.textContent = t("copy")), 2000);
    };
    chip.append(c, copy);
    return chip;
  }

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = document.createElement("textarea");
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
  }

  // ── drawing ────────────────────────────────────────────────────────────────
  const timeFormat = new Intl.DateTimeFormat("vi-VN", { hour: "2-digit", minute: "2-digit" });
  const dayFormat = new Intl.DateTimeFormat("vi-VN", { day: "2-digit", month: "2-digit", year: "numeric" });
  let lastDay = null;
  let lastWho = null;

  function dayLine(at) {
    const day = dayFormat.format(at);
    if (day === lastDay) return;
    lastDay = day;
    lastWho = null;
    const d = document.createElement("div");
    d.className = "day";
    if (day === dayFormat.format(new Date())) d.dataset.label = "today";
    d.textContent = day === dayFormat.format(new Date()) ? t("today") : day;
    log.append(d);
  }

  /** One message in the transcript; returns its row. `live` inline buttons can be pressed. */
  function draw(item, live) {
    const at = new Date(item.at);
    dayLine(at);
    if (item.who === "note") {
      const note = document.createElement("div");
      note.className = "note";
      note.setAttribute("role", "status");
      note.textContent = item.text;
      log.append(note);
      lastWho = null;
      return note;
    }
    const row = document.createElement("div");
    row.className = "row " + item.who + (lastWho === item.who ? " follow" : "");
    lastWho = item.who;
    if (item.who === "bot") {
      const avatar = document.createElement("img");
      avatar.className = "avatar";
      avatar.src = "/webchat/logo.svg";
      avatar.alt = "";
      row.append(avatar);
    }
    const bubble = document.createElement("div");
    bubble.className = "bubble";
    // Screen readers hear who speaks before the words.
    const who = document.createElement("span");
    who.className = "sr-only";
    who.dataset.label = item.who === "bot" ? "bot_says" : "you_said";
    who.textContent = t(who.dataset.label) + " ";
    bubble.append(who, richText(item.text));
    if (item.links && item.links.length) {
      const links = document.createElement("div");
      links.className = "links";
      for (const l of item.links) links.append(link(l.url, l.label));
      bubble.append(links);
    }
    if (item.buttons && item.buttons.length) {
      const choices = document.createElement("div");
      choices.className = "inline-choices";
      for (const b of item.buttons) choices.append(choiceButton(b, live));
      bubble.append(choices);
    }
    const time = document.createElement("time");
    time.className = "at";
    time.dateTime = at.toISOString();
    time.textContent = timeFormat.format(at);
    bubble.append(time);
    row.append(bubble);
    log.append(row);
    return row;
  }

  function choiceButton(b, live) {
    const btn = document.createElement("button");
    btn.type = "button";
    btn.className = "choice";
    btn.textContent = b.label;
    btn.disabled = !live;
    btn.onclick = (event) => {
      // The second click of a double click (detail 2) must not answer the next question.
      if (btn.disabled || event.detail > 1) return;
      answered(btn);
      void send({ payload: b.payload }, b.label).then(focusInput);
    };
    return btn;
  }

  /** Every button offered so far is answered: disable them all, mark the one chosen. */
  function answered(chosen) {
    for (const b of document.querySelectorAll(".choice")) b.disabled = true;
    if (chosen) {
      chosen.classList.add("chosen");
      chosen.setAttribute("aria-pressed", "true");
    }
  }

  /** The latest question's buttons, kept above the input where they are always in view. */
  function offer(buttons) {
    quick.replaceChildren(...(buttons || []).map((b) => choiceButton(b, true)));
    quick.hidden = !buttons || buttons.length === 0;
  }

  /** Scrolls after drawing: to the start of a long answer, else to the bottom. */
  function reveal(firstNew) {
    requestAnimationFrame(() => {
      if (firstNew && log.scrollHeight - firstNew.offsetTop > log.clientHeight)
        log.scrollTop = firstNew.offsetTop - 8;
      else log.scrollTop = log.scrollHeight;
    });
  }

  let typing = null;
  function showTyping(on) {
    if (on && !typing) {
      typing = document.createElement("div");
      typing.className = "row bot typing";
      typing.setAttribute("role", "status");
      typing.setAttribute("aria-label", t("typing"));
      const avatar = document.createElement("img");
      avatar.className = "avatar";
      avatar.src = "/webchat/logo.svg";
      avatar.alt = "";
      const bubble = document.createElement("div");
      bubble.className = "bubble";
      bubble.innerHTML = '<span class="dot"></span><span class="dot"></span><span class="dot"></span>';
      typing.append(avatar, bubble);
      log.append(typing);
      reveal(null);
    } else if (!on && typing) {
      typing.remove();
      typing = null;
    }
  }

  function note(text, keep) {
    const item = { who: "note", text, at: Date.now() };
    if (keep) state.items.push(item);
    const row = draw(item, false);
    reveal(row);
    return row;
  }

  /** The bot's replies: texts in the transcript, the last question's buttons above the input. */
  function showReplies(replies, options = {}) {
    const lastWithButtons = replies.findLastIndex((r) => r.buttons && r.buttons.length);
    let firstNew = null;
    replies.forEach((r, i) => {
      const item = { who: "bot", text: r.text, at: Date.now() };
      if (r.links && r.links.length) item.links = r.links;
      if (r.buttons && r.buttons.length && i !== lastWithButtons) item.buttons = r.buttons;
      const previous = state.items[state.items.length - 1];
      // A reload asks the pending question again: the question already shown is not repeated.
      const repeat = options.resume && previous && previous.who === "bot" && previous.text === r.text;
      if (!repeat) {
        state.items.push(item);
        const row = draw(item, true);
        firstNew = firstNew || row;
      }
    });
    if (lastWithButtons >= 0) offer(replies[lastWithButtons].buttons);
    else if (replies.length && !options.keepOffer) offer(null);
    save();
    reveal(options.anchor || firstNew);
  }

  // ── talking to the server ──────────────────────────────────────────────────
  function forgetTranscript() {
    state.items = [];
    log.replaceChildren();
    lastDay = null;
    lastWho = null;
    save();
  }

  let queue = Promise.resolve();
  /** Sends one message in order after the ones before it; `shown` is the person's bubble. */
  function send(body, shown, options = {}) {
    let mine = null;
    if (shown) {
      const item = { who: "me", text: shown, at: Date.now() };
      state.items.push(item);
      save();
      mine = { item, row: draw(item, false) };
      reveal(mine.row);
    }
    const messageId = newId();
    const post = async () =>
      fetch("/webchat/messages", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ userId: await issuedId(), messageId, ...body }),
      });
    const run = async () => {
      showTyping(true);
      const wasWaiting = state.waiting;
      try {
        let res = await post();
        // Too many at once: wait as told, once. An id the server no longer knows: a new one.
        if (res.status === 429) {
          await pause(res);
          res = await post();
        }
        if (res.status === 401) {
          userId = null;
          res = await post();
        }
        const data = await res.json();
        if (!res.ok) throw new Error(data.error || String(res.status));
        showTyping(false);
        if (data.lang && data.lang !== lang) applyLanguage(data.lang);
        if (typeof data.waiting === "boolean") state.waiting = data.waiting;
        // "Delete my data" also deletes this browser's copy of the conversation.
        if (data.forgotten) forgetTranscript();
        const lost = options.resume && wasWaiting && data.waiting === false;
        // The notice stays in view above the menu that follows it.
        showReplies(data.replies || [], { ...options, anchor: lost ? note(t("not_resumed"), true) : null });
      } catch {
        showTyping(false);
        // Nothing is lost: the person's words go back into the input, the buttons come back.
        if (mine) {
          mine.row.remove();
          state.items.splice(state.items.indexOf(mine.item), 1);
          save();
          if (body.text !== undefined && !input.value) input.value = body.text;
        }
        note(t("offline"), false);
        for (const b of quick.querySelectorAll(".choice")) {
          b.disabled = false;
          b.classList.remove("chosen");
          b.removeAttribute("aria-pressed");
        }
      }
    };
    queue = queue.then(run);
    return queue;
  }

  // On a phone, focusing the input would pop the keyboard up over the buttons after each tap.
  const finePointer = matchMedia("(pointer: fine)").matches;
  function focusInput() {
    if (finePointer) input.focus();
  }

  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    answered(null);
    void send({ text }, text);
    input.focus();
  });

  $("language").addEventListener("click", () => {
    const other = lang === "vi" ? "en" : "vi";
    answered(null);
    void send({ payload: "lang:" + other }, t("other_language")).then(focusInput);
  });

  // Broadcasts and reminders wait on the server until the page asks for them.
  async function poll() {
    if (document.hidden || !userId) return;
    try {
      const res = await fetch("/webchat/inbox?userId=" + encodeURIComponent(userId));
      const data = await res.json();
      if (data.replies && data.replies.length) showReplies(data.replies, { keepOffer: true });
    } catch {
      // The next poll tries again.
    }
  }

  // ── start ──────────────────────────────────────────────────────────────────
  applyLanguage(lang);
  for (const item of state.items) draw(item, false);
  reveal(null);
  input.focus();
  setInterval(poll, 5000);
  // A returning visitor continues where they were (the pending question is asked again).
  void send(returning ? { payload: "cmd:resume" } : { text: "/start" }, null, { resume: returning });
})();

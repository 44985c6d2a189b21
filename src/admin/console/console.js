// The staff console: plain DOM, no framework (docs/console.md says why). Every text shown to
// staff comes from locales/<lang>/console.json (served as /admin/copy.json); every change sends
// the session's CSRF token; text typed by the public (questions, names) is only ever set as
// textContent, never parsed as HTML.

const state = { me: null, lang: "vi", copy: {}, meta: null, stop: null };
const main = document.getElementById("main");

// ---------- copy, formatting, DOM ----------

function t(key, vars = {}) {
  let node = state.copy[state.lang];
  for (const part of key.split(".")) node = node?.[part];
  if (typeof node !== "string") return key;
  return node.replace(/\{\{(\w+)\}\}/g, (_, name) => String(vars[name] ?? ""));
}

const locale = () => (state.lang === "vi" ? "vi-VN" : "en-GB");
const money = (n) => `${new Intl.NumberFormat(locale()).format(n)} ₫`;
const number = (n) => new Intl.NumberFormat(locale()).format(n);
const when = (iso) =>
  iso
    ? new Intl.DateTimeFormat(locale(), {
        timeZone: "Asia/Ho_Chi_Minh",
        dateStyle: "short",
        timeStyle: "short",
      }).format(new Date(iso))
    : "—";

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "style")
      el.style.cssText = v; // CSSOM: allowed by the page's CSP, unlike a style attribute
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c);
  return el;
}

function toast(text, bad = false) {
  const el = document.getElementById("toast");
  el.textContent = text;
  el.className = `show${bad ? " bad" : ""}`;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.className = ""), 5000);
}

// ---------- API ----------

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: {
      "accept-language": state.lang,
      ...(state.me ? { "x-csrf-token": state.me.csrf } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    credentials: "same-origin",
  });
  const json = res.headers.get("content-type")?.includes("json") ? await res.json() : {};
  if (res.status === 401 && path.startsWith("/admin/api")) {
    state.me = null;
    renderLogin();
  }
  return { ok: res.ok, status: res.status, json };
}

/** The server's reason (already in the staff member's language), or a generic one. */
const reason = (r) => r.json?.error ?? t("error_generic", { status: r.status });

// ---------- shell ----------

const PAGES = ["overview", "pledges", "requests", "broadcasts", "audit"];

function renderShell() {
  document.documentElement.lang = state.lang;
  document.title = t("title");
  document.getElementById("top").hidden = false;
  const page = location.hash.slice(1).split("/")[0] || "overview";
  const nav = document.getElementById("nav");
  nav.replaceChildren(
    ...PAGES.filter((p) => p !== "audit" || state.me.role === "admin").map((p) =>
      h("a", { href: `#${p}`, class: page.startsWith(p.slice(0, 9)) ? "active" : "" }, t(`nav.${p}`)),
    ),
  );
  document.getElementById("who").textContent = t("login.signed_in", {
    name: state.me.name,
    role: t(`role.${state.me.role}`),
  });
  document.getElementById("lang").textContent = t("lang_switch");
  document.getElementById("logout").textContent = t("login.logout");
}

function renderLogin(message) {
  stopPolling();
  document.getElementById("top").hidden = true;
  document.documentElement.lang = state.lang;
  const error = h("p", { class: "error", role: "alert" }, message ?? "");
  const form = h(
    "form",
    { class: "login panel", onsubmit: (e) => (e.preventDefault(), login(form, error)) },
    h("h1", {}, t("login.heading")),
    h("label", {}, t("login.name"), h("input", { name: "name", autocomplete: "username", required: true })),
    h(
      "label",
      {},
      t("login.password"),
      h("input", { name: "password", type: "password", autocomplete: "current-password", required: true }),
    ),
    h("button", { class: "primary", type: "submit" }, t("login.submit")),
    h(
      "button",
      { type: "button", class: "link", onclick: () => switchLang(() => renderLogin()) },
      t("lang_switch"),
    ),
    error,
  );
  main.replaceChildren(form);
}

async function login(form, error) {
  const r = await api("POST", "/admin/auth/login", {
    name: form.elements.name.value,
    password: form.elements.password.value,
  });
  if (!r.ok) return (error.textContent = reason(r));
  state.me = r.json;
  state.lang = localStorage.getItem("console.lang") ?? r.json.lang;
  route();
}

function switchLang(then) {
  state.lang = state.lang === "vi" ? "en" : "vi";
  localStorage.setItem("console.lang", state.lang);
  then();
}

function stopPolling() {
  if (state.stop) state.stop();
  state.stop = null;
}

async function route() {
  stopPolling();
  if (!state.me) return renderLogin();
  renderShell();
  const [page, arg] = location.hash.slice(1).split("/");
  main.replaceChildren(h("p", { class: "muted" }, t("loading")));
  const pages = { overview, pledges, requests, broadcasts, broadcast, compose, audit };
  await (pages[page] ?? overview)(arg ? decodeURIComponent(arg) : undefined);
}

// ---------- Overview ----------

async function overview() {
  const r = await api("GET", "/admin/api/overview");
  if (!r.ok) return main.replaceChildren(h("p", { class: "error" }, reason(r)));
  const o = r.json;
  const card = (title, totals) =>
    h(
      "div",
      { class: "card" },
      h("div", { class: "muted" }, title),
      h("div", { class: "big" }, money(totals.amount)),
      h("div", {}, t("overview.pledges", { count: number(totals.count) })),
    );
  const table = (title, rows) =>
    h(
      "div",
      { class: "panel" },
      h("h2", {}, title),
      rows.length
        ? h(
            "table",
            {},
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                h("th", {}, t("overview.name")),
                h("th", { class: "num" }, t("overview.count")),
                h("th", { class: "num" }, t("overview.amount")),
              ),
            ),
            h(
              "tbody",
              {},
              rows.map(([name, row]) =>
                h(
                  "tr",
                  {},
                  h("td", {}, name),
                  h("td", { class: "num" }, number(row.count)),
                  h("td", { class: "num" }, money(row.amount)),
                ),
              ),
            ),
          )
        : h("p", { class: "muted" }, t("none")),
    );
  const chart = h("div", { class: "panel", id: "chart" }, h("h2", {}, t("overview.by_day")));
  main.replaceChildren(
    h("h1", {}, t("nav.overview")),
    h(
      "div",
      { class: "cards" },
      card(t("overview.today"), o.today),
      card(t("overview.week", { since: o.week.since }), o.week),
      card(t("overview.all"), o.all),
    ),
    h("p", { class: "caveat" }, t("overview.caveat"), " ", t("overview.as_of", { time: when(o.asOf) })),
    chart,
    h(
      "div",
      { class: "grid3" },
      table(
        t("overview.by_method"),
        Object.entries(o.all.byMethod).map(([m, row]) => [t(`method.${m}`), row]),
      ),
      table(
        t("overview.by_organisation"),
        o.all.byOrganisation.slice(0, 15).map((x) => [x.organisation, x]),
      ),
      table(
        t("overview.by_ward"),
        o.all.byWard.slice(0, 15).map((x) => [x.ward, x]),
      ),
    ),
  );
  drawChart(chart, o.byDay);
}

function drawChart(box, days) {
  if (!window.uPlot) return;
  const width = Math.max(280, box.clientWidth - 32);
  const xs = days.map((d) => Date.parse(`${d.day}T00:00:00+07:00`) / 1000);
  new window.uPlot(
    {
      width,
      height: 220,
      tzDate: (ts) => window.uPlot.tzDate(new Date(ts * 1000), "Asia/Ho_Chi_Minh"),
      scales: { x: { time: true } },
      legend: { show: false },
      series: [
        {},
        {
          label: t("overview.amount"),
          stroke: "#c8102e",
          fill: "rgba(200,16,46,0.12)",
          value: (_, v) => (v == null ? "—" : money(v)),
        },
      ],
      axes: [
        {},
        {
          size: 70,
          values: (_, ticks) =>
            ticks.map((v) => new Intl.NumberFormat(locale(), { notation: "compact" }).format(v)),
        },
      ],
    },
    [xs, days.map((d) => d.amount)],
    box,
  );
}

// ---------- Pledges ----------

const pledgeQuery = { filters: {}, cursors: [] };

async function pledges() {
  const f = pledgeQuery.filters;
  const select = (name, values, label) =>
    h(
      "label",
      {},
      t(`pledges.${name}`),
      h(
        "select",
        { name },
        h("option", { value: "" }, t("pledges.any")),
        values.map((v) => h("option", { value: v, selected: f[name] === v }, label(v))),
      ),
    );
  const input = (name, type = "text") =>
    h(
      "label",
      {},
      t(`pledges.${name}`),
      h("input", { name, type, value: f[name] ?? "", size: type === "text" ? 14 : undefined }),
    );
  const form = h(
    "form",
    {
      class: "filters",
      onsubmit: (e) => {
        e.preventDefault();
        pledgeQuery.filters = Object.fromEntries(
          [...new FormData(form)]
            .filter(([, v]) => String(v).trim() !== "")
            .map(([k, v]) => [k, String(v).trim()]),
        );
        pledgeQuery.cursors = [];
        pledges();
      },
    },
    select("status", ["pledged", "paid", "cancelled"], (v) => t(`status.${v}`)),
    select("method", ["transfer", "cash", "payroll", "sms", "in_kind"], (v) => t(`method.${v}`)),
    input("organisation"),
    input("ward"),
    input("since", "date"),
    input("until", "date"),
    input("phone", "tel"),
    h("button", { type: "submit", class: "primary" }, t("pledges.filter")),
  );
  const params = new URLSearchParams({ ...f, limit: "50" });
  const cursor = pledgeQuery.cursors.at(-1);
  if (cursor) params.set("before", cursor);
  const r = await api("GET", `/admin/api/pledges?${params}`);
  const csv = new URLSearchParams({ ...f, format: "csv" });
  const body = [h("h1", {}, t("nav.pledges")), form];
  if (!r.ok) return main.replaceChildren(...body, h("p", { class: "error" }, reason(r)));
  const cols = [
    "reference",
    "created",
    "amount",
    "method",
    "status",
    "channel",
    "organisation",
    "ward",
    "name",
    "phone",
    "reminders",
    "actions",
  ];
  const rows = r.json.pledges.map((p) => {
    const actions = h("td", { "data-label": t("pledges.actions") });
    const showActions = () =>
      actions.replaceChildren(
        p.status === "pledged"
          ? h("button", { type: "button", onclick: () => setStatus(p, "paid") }, t("pledges.mark_paid"))
          : "",
        " ",
        p.status !== "cancelled"
          ? h("button", { type: "button", onclick: () => askReason() }, t("pledges.cancel"))
          : "",
      );
    const askReason = () => {
      const why = h("input", { name: "reason", placeholder: t("pledges.reason"), size: 18 });
      actions.replaceChildren(
        why,
        " ",
        h(
          "button",
          {
            type: "button",
            class: "primary",
            onclick: () =>
              why.value.trim()
                ? setStatus(p, "cancelled", why.value.trim())
                : toast(t("pledges.reason_needed"), true),
          },
          t("pledges.confirm_cancel"),
        ),
        " ",
        h("button", { type: "button", class: "link", onclick: showActions }, t("pledges.back")),
      );
      why.focus();
    };
    showActions();
    const cell = (name, value, cls) =>
      h("td", { "data-label": t(`pledges.${name}`), class: cls }, value ?? "—");
    return h(
      "tr",
      { "data-reference": p.reference },
      cell("reference", p.reference),
      cell("created", when(p.createdAt)),
      cell("amount", money(p.amount), "num"),
      cell("method", t(`method.${p.method}`)),
      cell("status", h("span", { class: `status ${p.status}` }, t(`status.${p.status}`))),
      cell("channel", p.channel),
      cell("organisation", p.organisation),
      cell("ward", p.ward),
      cell("name", p.name),
      cell("phone", p.phone),
      cell("reminders", String(p.reminders), "num"),
      actions,
    );
  });
  main.replaceChildren(
    ...body,
    h(
      "div",
      { class: "row" },
      h("span", { class: "muted" }, t("pledges.count", { count: rows.length })),
      h("a", { class: "button", href: `/admin/api/pledges?${csv}`, download: "" }, t("pledges.export")),
      pledgeQuery.cursors.length
        ? h(
            "button",
            { type: "button", onclick: () => ((pledgeQuery.cursors = []), pledges()) },
            t("pledges.first"),
          )
        : "",
      r.json.next
        ? h(
            "button",
            { type: "button", onclick: () => (pledgeQuery.cursors.push(r.json.next), pledges()) },
            t("pledges.next"),
          )
        : "",
    ),
    h(
      "div",
      { class: "scroll" },
      h(
        "table",
        { class: "stack" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            cols.map((c) => h("th", {}, t(`pledges.${c}`))),
          ),
        ),
        h("tbody", {}, rows),
      ),
    ),
  );
}

async function setStatus(p, status, why) {
  const r = await api("POST", "/admin/api/pledges/status", {
    reference: p.reference,
    status,
    ...(why ? { reason: why } : {}),
  });
  if (!r.ok) return toast(reason(r), true);
  toast(t("pledges.marked", { reference: p.reference, status: t(`status.${status}`) }));
  pledges();
}

// ---------- Requests ----------

async function requests() {
  const [r, answered] = await Promise.all([
    api("GET", "/admin/api/handoffs"),
    api("GET", "/admin/api/handoffs/answered"),
  ]);
  if (!r.ok) return main.replaceChildren(h("p", { class: "error" }, reason(r)));
  const items = r.json.handoffs.map((x) => {
    const text = h("textarea", { name: "answer", maxlength: 1800, "aria-label": t("requests.answer") });
    const send = async () => {
      if (!text.value.trim()) return text.focus();
      const res = await api("POST", `/admin/api/handoffs/${encodeURIComponent(x.id)}/reply`, {
        text: text.value,
      });
      if (!res.ok || res.json.outcome !== "sent")
        return toast(t("requests.failed", { reason: reason(res) }), true);
      toast(t("requests.sent"));
      requests();
    };
    return h(
      "div",
      { class: "panel request", "data-id": x.id },
      h(
        "div",
        { class: "muted" },
        `${t("requests.asked")}: ${when(x.requestedAt)} · ${t("requests.channel")}: ${x.channel} · ${t("requests.lang")}: ${x.lang}`,
      ),
      h("p", { class: "question" }, x.question ?? t("requests.no_question")),
      h("label", {}, t("requests.answer"), text),
      h(
        "div",
        { class: "row" },
        h("button", { type: "button", class: "primary", onclick: send }, t("requests.send")),
      ),
    );
  });
  main.replaceChildren(
    h("h1", {}, t("requests.heading")),
    items.length ? h("div", { class: "grid3" }, items) : h("p", { class: "muted" }, t("none")),
    h("h2", {}, t("requests.answered_heading")),
    answered.ok && answered.json.handoffs.length
      ? h(
          "div",
          { class: "grid3 answered" },
          answered.json.handoffs.map((a) =>
            h(
              "div",
              { class: "panel" },
              h(
                "div",
                { class: "muted" },
                t("requests.answered_by", {
                  who: a.answeredBy,
                  time: when(a.answeredAt),
                  channel: a.channel,
                }),
              ),
              h("p", {}, a.question ?? t("requests.no_question")),
            ),
          ),
        )
      : h("p", { class: "muted" }, t("none")),
  );
}

// ---------- Broadcasts ----------

async function meta() {
  if (!state.meta) {
    const r = await api("GET", "/admin/api/console");
    state.meta = r.ok ? r.json : { channels: [], quietHours: "off", rates: {} };
  }
  return state.meta;
}

const bstatus = (s) => h("span", { class: `status ${s}` }, t(`bstatus.${s}`));

async function broadcasts() {
  const r = await api("GET", "/admin/api/broadcasts");
  if (!r.ok) return main.replaceChildren(h("p", { class: "error" }, reason(r)));
  main.replaceChildren(
    h("h1", {}, t("broadcasts.heading")),
    h("div", { class: "row" }, h("a", { class: "button", href: "#compose" }, t("broadcasts.new"))),
    r.json.broadcasts.length
      ? h(
          "table",
          { class: "stack" },
          h(
            "tbody",
            {},
            r.json.broadcasts.map((b) =>
              h(
                "tr",
                {},
                h("td", {}, h("a", { href: `#broadcast/${b.id}` }, b.title)),
                h("td", {}, bstatus(b.status)),
                h(
                  "td",
                  {},
                  t("broadcasts.list_line", { sent: number(b.report.sent), queued: number(b.report.queued) }),
                ),
                h("td", { class: "muted" }, when(b.startAt ?? b.createdAt)),
              ),
            ),
          ),
        )
      : h("p", { class: "muted" }, t("none")),
  );
}

const ACTIONS = [
  "flow:pledge",
  "flow:ways_to_give",
  "flow:bank_account",
  "flow:campaign_progress",
  "flow:my_pledges",
  "cmd:menu",
];

/** The compose form: new (no id) or a draft to edit. */
async function compose(id) {
  const m = await meta();
  let draft = null;
  if (id) {
    const r = await api("GET", `/admin/api/broadcasts/${encodeURIComponent(id)}`);
    if (!r.ok) return main.replaceChildren(h("p", { class: "error" }, reason(r)));
    draft = r.json.broadcast;
  }
  const text = (copy, lang) => (copy && "text" in copy ? (copy.text[lang] ?? "") : "");
  const count = h("p", { class: "recipients", "aria-live": "polite" }, "…");
  const detail = h("p", { class: "muted" });
  const buttonsBox = h("div");
  const linksBox = h("div");
  const addButton = (b = {}) =>
    buttonsBox.append(
      h(
        "div",
        { class: "row button-row" },
        h(
          "label",
          {},
          t("broadcasts.button_label_vi"),
          h("input", { name: "bvi", value: text(b.label, "vi") }),
        ),
        h(
          "label",
          {},
          t("broadcasts.button_label_en"),
          h("input", { name: "ben", value: text(b.label, "en") }),
        ),
        h(
          "label",
          {},
          t("broadcasts.button_action"),
          h(
            "select",
            { name: "bpayload" },
            ACTIONS.map((a) =>
              h(
                "option",
                { value: a, selected: b.payload === a },
                t(`broadcasts.action.${a.replace(":", "_")}`),
              ),
            ),
          ),
        ),
        h(
          "button",
          { type: "button", class: "link", onclick: (e) => e.target.closest(".row").remove() },
          t("broadcasts.remove"),
        ),
      ),
    );
  const addLink = (l = {}) =>
    linksBox.append(
      h(
        "div",
        { class: "row link-row" },
        h(
          "label",
          {},
          t("broadcasts.button_label_vi"),
          h("input", { name: "lvi", value: text(l.label, "vi") }),
        ),
        h(
          "label",
          {},
          t("broadcasts.button_label_en"),
          h("input", { name: "len", value: text(l.label, "en") }),
        ),
        h(
          "label",
          {},
          t("broadcasts.link_url"),
          h("input", { name: "lurl", type: "url", value: l.url ?? "", size: 30 }),
        ),
        h(
          "button",
          { type: "button", class: "link", onclick: (e) => e.target.closest(".row").remove() },
          t("broadcasts.remove"),
        ),
      ),
    );
  (draft?.buttons ?? []).forEach(addButton);
  (draft?.links ?? []).forEach(addLink);
  const a = draft?.audience ?? {};
  const checks = (name, values, chosen, label) =>
    h(
      "div",
      { class: "row" },
      values.map((v) =>
        h(
          "label",
          { class: "inline" },
          h("input", { type: "checkbox", name, value: v, checked: chosen?.includes(v) }),
          " ",
          label(v),
        ),
      ),
      h("span", { class: "muted" }, `(${t("broadcasts.all")} = ∅)`),
    );
  const form = h(
    "form",
    { class: "editor", onsubmit: (e) => (e.preventDefault(), save()) },
    h(
      "label",
      {},
      t("broadcasts.title"),
      h("input", { name: "title", required: true, maxlength: 120, value: draft?.title ?? "" }),
    ),
    h(
      "label",
      {},
      t("broadcasts.text_vi"),
      h("textarea", { name: "vi", maxlength: 1800 }, text(draft?.message, "vi")),
    ),
    h(
      "label",
      {},
      t("broadcasts.text_en"),
      h("textarea", { name: "en", maxlength: 1800 }, text(draft?.message, "en")),
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, t("broadcasts.buttons")),
      buttonsBox,
      h("button", { type: "button", onclick: () => addButton() }, t("broadcasts.add_button")),
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, t("broadcasts.links")),
      linksBox,
      h("button", { type: "button", onclick: () => addLink() }, t("broadcasts.add_link")),
    ),
    h(
      "fieldset",
      { onchange: () => recount(), oninput: () => recount() },
      h("legend", {}, t("broadcasts.audience")),
      h("div", { class: "muted" }, t("broadcasts.channels")),
      checks("channel", m.channels, a.channels, (v) => v),
      h("div", { class: "muted" }, t("broadcasts.langs")),
      checks("lang", ["vi", "en"], a.langs, (v) => v),
      h("div", { class: "muted" }, t("broadcasts.pledge_status")),
      checks("pledgeStatus", ["unpaid", "paid", "none"], a.pledgeStatus, (v) =>
        t(`broadcasts.${v === "none" ? "no_pledge" : v}`),
      ),
      h(
        "label",
        {},
        t("broadcasts.organisations"),
        h("input", { name: "organisations", value: (a.organisations ?? []).join(", ") }),
      ),
      a.recipients
        ? h("p", { class: "listed" }, t("broadcasts.listed", { count: number(a.recipients.length) }))
        : "",
      count,
      detail,
    ),
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, t("broadcasts.save"))),
  );
  const audience = () => {
    const fd = new FormData(form);
    const list = (name) => fd.getAll(name).map(String);
    const orgs = String(fd.get("organisations") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    return {
      ...(list("channel").length ? { channels: list("channel") } : {}),
      ...(list("lang").length ? { langs: list("lang") } : {}),
      ...(list("pledgeStatus").length ? { pledgeStatus: list("pledgeStatus") } : {}),
      ...(orgs.length ? { organisations: orgs } : {}),
      // A resend's list of people stays with the draft whatever else is narrowed.
      ...(a.recipients ? { recipients: a.recipients } : {}),
    };
  };
  let timer;
  const recount = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const r = await api("POST", "/admin/api/broadcasts/recipients", audience());
      if (!r.ok) return (count.textContent = reason(r));
      const x = r.json.recipients;
      const list = (o) =>
        Object.entries(o)
          .map(([k, v]) => `${k} ${number(v)}`)
          .join(", ") || "—";
      count.textContent = t("broadcasts.recipients", { total: number(x.total) });
      detail.textContent = t("broadcasts.recipients_detail", {
        byLang: list(x.byLang),
        byChannel: list(x.byChannel),
      });
    }, 250);
  };
  const copyOf = (vi, en) => {
    const text = {};
    if (vi.trim()) text.vi = vi.trim();
    if (en.trim()) text.en = en.trim();
    return { text };
  };
  const save = async () => {
    const fd = new FormData(form);
    const rows = (box, sel) => [...box.querySelectorAll(sel)];
    const input = {
      title: String(fd.get("title")),
      message: copyOf(String(fd.get("vi")), String(fd.get("en"))),
      buttons: rows(buttonsBox, ".button-row").map((row) => ({
        label: copyOf(row.querySelector("[name=bvi]").value, row.querySelector("[name=ben]").value),
        payload: row.querySelector("[name=bpayload]").value,
      })),
      links: rows(linksBox, ".link-row").map((row) => ({
        label: copyOf(row.querySelector("[name=lvi]").value, row.querySelector("[name=len]").value),
        url: row.querySelector("[name=lurl]").value.trim(),
      })),
      audience: audience(),
    };
    const r = draft
      ? await api("PUT", `/admin/api/broadcasts/${encodeURIComponent(draft.id)}`, input)
      : await api("POST", "/admin/api/broadcasts", input);
    if (!r.ok) return toast(reason(r), true);
    toast(t("broadcasts.saved"));
    location.hash = `#broadcast/${r.json.broadcast.id}`;
  };
  main.replaceChildren(
    h("h1", {}, draft ? `${t("broadcasts.edit")}: ${draft.title}` : t("broadcasts.new")),
    form,
  );
  recount();
}

function bubble(reply) {
  return h(
    "div",
    { class: "bubble" },
    reply.text,
    reply.buttons?.length || reply.links?.length
      ? h(
          "div",
          { class: "buttons" },
          (reply.buttons ?? []).map((b) => h("span", {}, b.label)),
          (reply.links ?? []).map((l) => h("span", { title: l.url }, `${l.label} ↗`)),
        )
      : "",
  );
}

async function broadcast(id) {
  const m = await meta();
  const path = `/admin/api/broadcasts/${encodeURIComponent(id)}`;
  const first = await api("GET", path);
  if (!first.ok) return main.replaceChildren(h("p", { class: "error" }, reason(first)));
  const b = first.json.broadcast;
  const act = async (verb, confirmText) => {
    if (confirmText && !confirm(confirmText)) return;
    const r = await api("POST", `${path}/${verb}`);
    if (!r.ok) return toast(reason(r), true);
    if (verb === "copy") return (location.hash = `#compose/${r.json.broadcast.id}`);
    if (verb === "resend") return (location.hash = `#broadcast/${r.json.broadcast.id}`);
    toast(t(`bstatus.${r.json.broadcast.status}`));
    broadcast(id);
  };
  const head = [
    h("h1", {}, b.title, " ", bstatus(b.status)),
    h("p", { class: "muted" }, t("broadcasts.created_by", { who: b.createdBy, time: when(b.createdAt) })),
  ];
  const buttons = h("div", { class: "row" });
  if (b.status === "draft") {
    const preview = h("div", { class: "grid3 preview" });
    const testChannel = h(
      "select",
      { name: "testChannel" },
      m.channels.map((c) =>
        h("option", { value: c, selected: localStorage.getItem("console.testChannel") === c }, c),
      ),
    );
    const testUser = h("input", {
      name: "testUser",
      value: localStorage.getItem("console.testUser") ?? "",
      size: 24,
    });
    const at = h("input", { name: "at", type: "datetime-local" });
    let total = 0;
    buttons.append(
      h("a", { class: "button", href: `#compose/${b.id}` }, t("broadcasts.edit")),
      h("button", { type: "button", onclick: () => act("copy") }, t("broadcasts.copy")),
      h(
        "button",
        { type: "button", onclick: () => act("cancel", t("broadcasts.confirm_delete")) },
        t("broadcasts.delete"),
      ),
    );
    const test = async () => {
      localStorage.setItem("console.testChannel", testChannel.value);
      localStorage.setItem("console.testUser", testUser.value);
      const r = await api("POST", `${path}/test`, {
        channel: testChannel.value,
        userId: testUser.value.trim(),
        lang: state.lang,
      });
      if (!r.ok) return toast(reason(r), true);
      toast(t("broadcasts.test_done", { outcome: r.json.outcome }));
    };
    const start = async (when) => {
      if (!confirm(t("broadcasts.confirm_start", { total: number(total) }))) return;
      const r = await api("POST", `${path}/start`, when ? { at: `${when}:00+07:00` } : {});
      if (!r.ok) return toast(reason(r), true);
      broadcast(id);
    };
    main.replaceChildren(
      ...head,
      buttons,
      h("h2", {}, t("broadcasts.preview")),
      preview,
      h("p", { class: "recipients" }),
      h(
        "div",
        { class: "panel" },
        h(
          "div",
          { class: "row" },
          h("label", {}, t("broadcasts.test_channel"), testChannel),
          h("label", {}, t("broadcasts.test_user"), testUser),
          h("button", { type: "button", onclick: test }, t("broadcasts.test")),
        ),
        h(
          "div",
          { class: "row" },
          h("button", { type: "button", class: "primary", onclick: () => start() }, t("broadcasts.start")),
          h("label", {}, t("broadcasts.schedule_at"), at),
          h(
            "button",
            { type: "button", onclick: () => at.value && start(at.value) },
            t("broadcasts.schedule"),
          ),
        ),
      ),
    );
    const p = await api("GET", `${path}/preview`);
    if (!p.ok) return toast(reason(p), true);
    total = p.json.recipients.total;
    preview.replaceChildren(
      ...Object.entries(p.json.messages).map(([lang, reply]) =>
        h(
          "div",
          { "data-lang": lang },
          h("p", { class: "muted" }, t("broadcasts.preview_as", { lang: t(`lang_name.${lang}`) })),
          bubble(reply),
        ),
      ),
    );
    main.querySelector(".recipients").textContent = t("broadcasts.recipients", { total: number(total) });
    return;
  }

  // Sent, sending or finished: progress that updates itself, then the report.
  const progress = h("div", { class: "panel progress" });
  main.replaceChildren(...head, buttons, progress);
  const samples = [];
  const draw = (r) => {
    const { broadcast: now, report, quietUntil } = r;
    const finished = now.status === "done" || now.status === "cancelled";
    head[0].replaceChildren(now.title, " ", bstatus(now.status));
    buttons.replaceChildren(
      ["running", "scheduled"].includes(now.status)
        ? h("button", { type: "button", onclick: () => act("pause") }, t("broadcasts.pause"))
        : "",
      now.status === "paused"
        ? h("button", { type: "button", onclick: () => act("resume") }, t("broadcasts.resume"))
        : "",
      ["running", "scheduled", "paused"].includes(now.status)
        ? h(
            "button",
            { type: "button", onclick: () => act("cancel", t("broadcasts.confirm_cancel")) },
            t("broadcasts.cancel"),
          )
        : "",
      h("button", { type: "button", onclick: () => act("copy") }, t("broadcasts.copy")),
      finished && report.unconfirmed > 0
        ? h("button", { type: "button", onclick: () => act("resend") }, t("broadcasts.resend"))
        : "",
    );
    const handled =
      report.sent +
      report.failed +
      report.blocked +
      report.outsideWindow +
      report.optedOut +
      report.unconfirmed;
    samples.push({ at: Date.now(), handled });
    while (samples.length > 2 && samples[0].at < Date.now() - 10_000) samples.shift();
    const span = (samples.at(-1).at - samples[0].at) / 1000;
    const rate = span > 0 ? (samples.at(-1).handled - samples[0].handled) / span : 0;
    const pct = report.queued ? Math.round((handled / report.queued) * 100) : 0;
    const cell = (key, value) =>
      h("tr", { "data-key": key }, h("td", {}, t(`broadcasts.${key}`)), h("td", { class: "num" }, value));
    progress.replaceChildren(
      h("h2", {}, finished ? t("broadcasts.report") : t("broadcasts.progress")),
      now.status === "scheduled" && !quietUntil
        ? h("p", {}, t("broadcasts.scheduled_for", { time: when(now.startAt) }))
        : "",
      quietUntil && !finished
        ? h("p", { class: "quiet" }, t("broadcasts.quiet", { hours: m.quietHours, time: when(quietUntil) }))
        : "",
      h("div", { class: "bar" }, h("div", { style: `width:${pct}%` })),
      h(
        "table",
        {},
        h(
          "tbody",
          {},
          cell("queued", number(report.queued)),
          cell("sent", number(report.sent)),
          finished ? "" : cell("pending", number(report.pending)),
          finished ? "" : cell("rate", t("broadcasts.rate_value", { rate: rate.toFixed(1) })),
          !finished && rate > 0 && report.pending > 0
            ? cell("eta", when(new Date(Date.now() + (report.pending / rate) * 1000).toISOString()))
            : "",
          cell("failed", number(report.failed)),
          cell("blocked", number(report.blocked)),
          cell("outsideWindow", number(report.outsideWindow)),
          cell("optedOut", number(report.optedOut)),
          cell("unconfirmed", number(report.unconfirmed)),
        ),
      ),
      now.status === "cancelled" && report.pending > 0
        ? h("p", {}, t("broadcasts.not_sent_after_cancel", { count: number(report.pending) }))
        : "",
      h("p", { class: "muted" }, t("broadcasts.unconfirmed_help")),
    );
    return finished;
  };
  let stopped = false;
  state.stop = () => (stopped = true);
  const poll = async () => {
    if (stopped) return;
    const r = await api("GET", path);
    if (stopped || !r.ok) return;
    if (!draw(r.json)) setTimeout(poll, 1000);
    else showProblems();
  };
  // Once it ended: the people it may not have reached, by name of outcome, with their language.
  const showProblems = async () => {
    const r = await api("GET", `${path}/problems`);
    if (!r.ok) return;
    const outcome = (o) =>
      o === "outside_window"
        ? t("broadcasts.outsideWindow")
        : o === "opted_out"
          ? t("broadcasts.optedOut")
          : t(`broadcasts.${o}`);
    main.append(
      h(
        "div",
        { class: "panel problems" },
        h("h2", {}, t("broadcasts.problems_heading")),
        r.json.recipients.length
          ? h(
              "table",
              {},
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  h("th", {}, t("broadcasts.recipient")),
                  h("th", {}, t("requests.lang")),
                  h("th", {}, t("broadcasts.outcome")),
                ),
              ),
              h(
                "tbody",
                {},
                r.json.recipients.map((x) =>
                  h(
                    "tr",
                    {},
                    h("td", {}, `${x.channel}:${x.userId}`),
                    h("td", {}, x.lang ?? "—"),
                    h("td", {}, outcome(x.outcome)),
                  ),
                ),
              ),
            )
          : h("p", { class: "muted" }, t("broadcasts.problems_none")),
      ),
    );
  };
  if (draw(first.json)) showProblems();
  else setTimeout(poll, 1000);
}

// ---------- Audit log ----------

async function audit() {
  const f = audit.filters ?? {};
  const form = h(
    "form",
    {
      class: "filters",
      onsubmit: (e) => {
        e.preventDefault();
        audit.filters = Object.fromEntries([...new FormData(form)].filter(([, v]) => String(v).trim()));
        audit();
      },
    },
    ["actor", "action", "target"].map((k) =>
      h("label", {}, t(`audit.${k}`), h("input", { name: k, value: f[k] ?? "" })),
    ),
    h("button", { type: "submit", class: "primary" }, t("audit.filter")),
  );
  const r = await api("GET", `/admin/api/audit?${new URLSearchParams({ ...f, limit: "200" })}`);
  if (!r.ok) return main.replaceChildren(h("h1", {}, t("nav.audit")), h("p", { class: "error" }, reason(r)));
  main.replaceChildren(
    h("h1", {}, t("nav.audit")),
    form,
    h(
      "div",
      { class: "scroll" },
      h(
        "table",
        { class: "stack" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["at", "actor", "action", "target", "details"].map((k) => h("th", {}, t(`audit.${k}`))),
          ),
        ),
        h(
          "tbody",
          {},
          r.json.entries.map((e) =>
            h(
              "tr",
              {},
              h("td", { "data-label": t("audit.at") }, when(e.at)),
              h("td", { "data-label": t("audit.actor") }, e.actor),
              h("td", { "data-label": t("audit.action") }, e.action),
              h("td", { "data-label": t("audit.target") }, e.target ?? ""),
              h(
                "td",
                { "data-label": t("audit.details"), class: "muted" },
                e.details ? JSON.stringify(e.details) : "",
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

// ---------- start ----------

async function start() {
  const copy = await (await fetch("/admin/copy.json")).json();
  state.copy = copy.copy;
  state.lang = localStorage.getItem("console.lang") ?? copy.default;
  document.getElementById("lang").addEventListener("click", () => switchLang(route));
  document.getElementById("logout").addEventListener("click", async () => {
    await api("POST", "/admin/auth/logout");
    state.me = null;
    renderLogin();
  });
  window.addEventListener("hashchange", route);
  const me = await api("GET", "/admin/auth/me");
  if (me.ok) {
    state.me = me.json;
    state.lang = localStorage.getItem("console.lang") ?? me.json.lang;
  }
  route();
}

start();

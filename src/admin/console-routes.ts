import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { App } from "../app.ts";
import type { HttpResponse, HttpServer } from "../http/http-server.ts";
import { LANGUAGES } from "../engine/locales.ts";

const here = join(dirname(fileURLToPath(import.meta.url)), "console");
const uplot = dirname(createRequire(import.meta.url).resolve("uplot"));

/** The page may load only its own scripts, styles and API: no CDN, no inline script, no framing. */
const SECURITY = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

const TYPES = { html: "text/html", js: "text/javascript", css: "text/css" } as const;

/**
 * The staff console at /admin: one HTML page, its script and style from src/admin/console/, and
 * uPlot (the day chart) from node_modules. Its copy in both languages comes from
 * locales/<lang>/console.json, so staff change the console's words without code.
 */
export function mountConsole(http: HttpServer, app: App): void {
  const file = (path: string, type: keyof typeof TYPES): HttpResponse => {
    const body = readFileSync(path);
    return {
      status: 200,
      headers: { "content-type": `${TYPES[type]}; charset=utf-8`, "cache-control": "no-cache", ...SECURITY },
      body,
    };
  };
  const assets: Record<string, HttpResponse> = {
    "/admin": file(join(here, "index.html"), "html"),
    "/admin/console.js": file(join(here, "console.js"), "js"),
    "/admin/console.css": file(join(here, "console.css"), "css"),
    "/admin/vendor/uplot.js": file(join(uplot, "uPlot.iife.min.js"), "js"),
    "/admin/vendor/uplot.css": file(join(uplot, "uPlot.min.css"), "css"),
  };
  for (const [path, response] of Object.entries(assets)) http.route("GET", path, () => response);
  http.route("GET", "/admin/", () => ({ status: 308, headers: { location: "/admin" } }));

  const copy = Object.fromEntries(
    LANGUAGES.map((lang) => {
      const all = app.bundle.locales[lang].console as { ui: object; role: object };
      return [lang, { ...all.ui, role: all.role }];
    }),
  );
  http.route("GET", "/admin/copy.json", () => ({
    status: 200,
    headers: { "cache-control": "no-cache", ...SECURITY },
    body: { default: app.config.DEFAULT_LANGUAGE, copy },
  }));
}

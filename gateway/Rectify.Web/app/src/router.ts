// Hash routes (#/overview/360731000000/2026-10): the server serves one page, and every address can be bookmarked.
import { session, levelOf } from "./session.js";
import { h, show } from "./ui.js";
import { ApiError } from "./api.js";
import { monthParam, todayShanghai } from "./format.js";

type Params = Record<string, string>;
/** A page: renders into #view; the signal is aborted when the person leaves it (live streams stop then). */
type Render = (params: Params, signal: AbortSignal) => Promise<void> | void;

const routes: { parts: string[]; render: Render; anonymous: boolean }[] = [];
let leaving: AbortController | null = null;

/** Registers a page at a pattern such as "/village/:code". */
export function route(pattern: string, render: Render, options: { anonymous?: boolean } = {}): void {
  routes.push({ parts: pattern.split("/").filter(Boolean), render, anonymous: options.anonymous ?? false });
}

export function go(path: string): void { location.hash = `#${path}`; }

/** Where a person starts: the county's overview, the township's workbench, the village's measures. */
export function home(): string {
  const account = session.account();
  if (!account) return "/login";
  const month = monthParam(todayShanghai());
  switch (levelOf(account.orgCode)) {
    case "village": return `/village/${account.orgCode}`;
    case "township": return `/township/${account.orgCode}`;
    default: return `/overview/${account.orgCode}/${month}`;
  }
}

export async function render(): Promise<void> {
  leaving?.abort();
  leaving = new AbortController();
  const path = location.hash.replace(/^#/, "") || home();
  const parts = path.split("?")[0].split("/").filter(Boolean).map(decodeURIComponent);
  for (const r of routes) {
    if (r.parts.length !== parts.length) continue;
    const params: Params = {};
    if (!r.parts.every((p, i) => (p.startsWith(":") ? ((params[p.slice(1)] = parts[i]), true) : p === parts[i]))) continue;
    if (!r.anonymous && !session.account()) return go("/login");
    try {
      await r.render(params, leaving.signal);
    } catch (e) {
      if (leaving.signal.aborted) return;
      show(problem(e));
    }
    return;
  }
  if (!location.hash) return go(home());
  show(h("section", { class: "card" }, h("h2", {}, "页面不存在"), h("p", {}, h("a", { href: `#${home()}` }, "返回首页"))));
}

/** A page that cannot be shown: denied, missing, or failed, in words a clerk understands. */
export function problem(e: unknown): HTMLElement {
  if (e instanceof ApiError && e.denied)
    return h("section", { class: "card denied", "data-problem": "denied" }, h("h2", {}, "无权查看"), h("p", {}, "该单位不在您的管辖范围内。"), h("p", {}, h("a", { href: `#${home()}` }, "返回本单位")));
  if (e instanceof ApiError && e.notFound)
    return h("section", { class: "card", "data-problem": "not-found" }, h("h2", {}, "未找到"), h("p", {}, e.message));
  return h("section", { class: "card", "data-problem": "error" }, h("h2", {}, "出错了"), h("p", {}, e instanceof Error ? e.message : String(e)));
}

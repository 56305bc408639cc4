// The bar at the top: the unit and person signed in, the links the role may use, sign-out.
import { session, levelOf } from "./session.js";
import { h } from "./ui.js";
import { roleName, label, monthParam, todayShanghai } from "./format.js";
import { api } from "./api.js";
import { go } from "./router.js";

export function renderBar(): void {
  const bar = document.getElementById("bar")!;
  const account = session.account();
  if (!account) { bar.replaceChildren(h("span", { class: "brand" }, "软弱涣散基层党组织整顿")); return; }
  const level = levelOf(account.orgCode);
  const month = monthParam(todayShanghai());
  const links: [string, string][] = [];
  if (level === "village") links.push([`#/village/${account.orgCode}`, "我的整改措施"]);
  else if (level === "township") links.push([`#/township/${account.orgCode}`, "工作台"], [`#/township/${account.orgCode}/report/${month}`, "月报"]);
  else {
    links.push([`#/overview/${account.orgCode}/${month}`, "总览"]);
    if (session.canDecide()) links.push([`#/review/${account.orgCode}`, "审核"]);
  }
  links.push([`#/documents/${account.orgCode}`, "文件"]);
  links.push(["#/inbox", "消息"]);
  bar.replaceChildren(
    h("span", { class: "brand" }, "软弱涣散基层党组织整顿"),
    h("nav", {}, links.map(([href, text]) => h("a", { href }, text))),
    h("span", { class: "who" }, `${account.displayName || account.userName}（${label(roleName, account.role)}）`),
    h("button", { type: "button", class: "link", onclick: signOut }, "退出"));
}

async function signOut(): Promise<void> {
  const raw = sessionStorage.getItem("rectify.session");
  const refreshToken = raw ? (JSON.parse(raw) as { refreshToken: string }).refreshToken : "";
  try { await api("identity", "Logout", { refreshToken }); } catch { /* signed out locally either way */ }
  session.clear();
  renderBar();
  go("/login");
}

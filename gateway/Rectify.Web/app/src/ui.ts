// A few DOM helpers, so pages read as markup without a framework. Text always goes in as text (no innerHTML).
import { label, measureStatus, monthParam, monthZh } from "./format.js";
import { ApiError } from "./api.js";

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.replace(/^on/, ""), value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A table with a header row; rows are arrays of cells. */
export function table(headers: string[], rows: Child[][], attrs: Attrs = {}): HTMLTableElement {
  return h("table", attrs,
    h("thead", {}, h("tr", {}, headers.map(t => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows.length ? rows.map(r => h("tr", {}, r.map(c => h("td", {}, c)))) : h("tr", {}, h("td", { colspan: headers.length, class: "muted" }, "暂无数据"))));
}

/** Replaces the page's content. */
export function show(...children: Child[]): void {
  const view = document.getElementById("view")!;
  view.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false).map(c => (c instanceof Node ? c : String(c))));
}

/** A short message at the top of the page that goes away by itself. */
export function toast(text: string, kind: "ok" | "error" = "ok"): void {
  const el = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
  document.body.append(el);
  setTimeout(() => el.remove(), kind === "error" ? 6000 : 3000);
}

/** Shows an API error in a form: the message on top, each named field's reason beside its input (data-field). */
export function showError(form: HTMLElement, error: unknown): void {
  form.querySelectorAll(".field-error").forEach(e => e.remove());
  const message = error instanceof Error ? error.message : String(error);
  const violations = (error as { violations?: { field: string; description: string }[] }).violations ?? [];
  for (const v of violations) {
    const input = form.querySelector(`[data-field="${CSS.escape(v.field)}"]`);
    input?.after(h("span", { class: "field-error" }, v.description));
  }
  form.prepend(h("p", { class: "field-error", role: "alert" }, violations.length && !violations.every(v => form.querySelector(`[data-field="${CSS.escape(v.field)}"]`)) ? `${message}：${violations.map(v => v.description).join("；")}` : message));
}

export function link(href: string, text: string, attrs: Attrs = {}): HTMLAnchorElement { return h("a", { href, ...attrs }, text); }

/** A month chooser in Chinese (2026年10月): the browser's own month input speaks the operating system's language. */
export function monthSelect(months: { year: number; month: number }[], current: { year: number; month: number }, onPick: (value: string) => void, id = "month"): HTMLElement {
  const select = h("select", { id, "aria-label": "月份", onchange: () => onPick(select.value) },
    months.map(p => h("option", { value: monthParam(p), selected: p.year === current.year && p.month === current.month }, monthZh(p))));
  return h("label", { class: "month-picker" }, "月份", select);
}

/** Sends a form one submission at a time: its submit buttons are disabled while the action runs; a refusal is shown in the form. */
export function onSubmit(form: HTMLFormElement, action: (data: FormData, event: SubmitEvent) => Promise<void>): void {
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const buttons = [...form.querySelectorAll<HTMLButtonElement>("button[type=submit]")];
    buttons.forEach(b => (b.disabled = true));
    try {
      await action(new FormData(form), event);
    } catch (e) {
      showError(form, e);
    } finally {
      buttons.forEach(b => (b.disabled = false));
    }
  });
}

/** The page's own refusal of a field left empty, shaped like the server's, so it shows the same way. */
export function refusal(message: string, field: string, description: string): ApiError {
  return new ApiError(3, message, [{ field, description }], 400);
}

/** A measure's status as a tag whose colour says where it stands: overdue or 回炉 red, 待销号 orange, 已销号 green. */
export function statusTag(status: string | undefined, overdue = false): HTMLElement {
  const kind = overdue || status === "MEASURE_STATUS_REOPENED" ? "overdue" : status === "MEASURE_STATUS_CLOSED" ? "closed" : status === "MEASURE_STATUS_COMPLETED" ? "pending" : "";
  return h("span", { class: `tag ${kind}`, "data-status": status ?? "" }, label(measureStatus, status ?? "MEASURE_STATUS_NOT_STARTED"));
}

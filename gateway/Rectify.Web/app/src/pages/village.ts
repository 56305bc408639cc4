// 村支部 on a phone: the village's measures with deadline, status and overdue; each opens a panel to report progress or
// completion with photos from the camera. A township or county person sees the same page read-only.
import { api } from "../api.js";
import { route, render } from "../router.js";
import { session, levelOf } from "../session.js";
import { h, show, showError, toast, statusTag } from "../ui.js";
import { dateZh, type Ymd } from "../format.js";
import { evidenceGallery, uploadPhoto } from "../evidence.js";

interface Measure {
  id: string; description: string; villageName?: string; responsiblePersons?: string[]; deadline?: Ymd; ongoing?: boolean;
  status?: string; percent?: number; overdue?: boolean; daysOverdue?: number; reopenCount?: number;
}

const OPEN = ["MEASURE_STATUS_NOT_STARTED", "MEASURE_STATUS_IN_PROGRESS", "MEASURE_STATUS_REOPENED"];

route("/village/:code", async ({ code }, signal) => {
  const list = await api<{ measures?: Measure[]; totalSize?: number }>("measures", "ListMeasures", { scopeCode: code, page: { pageSize: 500 } });
  if (signal.aborted) return;
  const measures = list.measures ?? [];
  const account = session.account();
  // The village reports its own measures; the units above verify them on their own pages.
  const writes = !!account && account.orgCode === code && levelOf(code) === "village" && session.canWrite();
  const name = measures[0]?.villageName ?? code;
  const overdue = measures.filter(m => m.overdue).length;
  const done = measures.filter(m => m.status === "MEASURE_STATUS_CLOSED").length;
  show(h("section", { class: "village-page", "data-village": code, "data-readonly": writes ? "false" : "true" },
    h("header", { class: "card village-head" },
      h("h2", {}, `${name} · 整改措施`),
      h("p", { class: "muted" }, `共 ${measures.length} 项，已销号 ${done} 项`, overdue ? h("span", { class: "tag overdue" }, `逾期 ${overdue} 项`) : null),
      writes ? null : h("p", { class: "muted" }, "只读：进展和完成情况由村支部填报。")),
    measures.length
      ? h("ul", { class: "village-measures" }, measures.map(m => measureItem(m, writes)))
      : h("p", { class: "card muted" }, "本村暂无整改措施（整顿方案尚未制定）。")));
});

function measureItem(m: Measure, writes: boolean): HTMLElement {
  const panel = h("div", { class: "village-panel" });
  const details = h("details", { class: "card village-measure", "data-measure": m.id },
    h("summary", {},
      h("span", { class: "village-title" }, m.description),
      h("span", { class: "village-meta" },
        statusTag(m.status),
        m.overdue ? h("span", { class: "tag overdue" }, `逾期 ${m.daysOverdue ?? 0} 天`) : null,
        h("span", { class: "muted" }, m.ongoing ? "长期坚持" : `时限 ${dateZh(m.deadline)}`),
        h("span", { class: "muted" }, `进度 ${m.percent ?? 0}%`))),
    panel);
  // The panel (forms and photos) is built when opened, so a long list stays light on a phone.
  details.addEventListener("toggle", () => { if (details.open && !panel.hasChildNodes()) void fillPanel(panel, m, writes); });
  return h("li", {}, details);
}

async function fillPanel(panel: HTMLElement, m: Measure, writes: boolean): Promise<void> {
  panel.append(h("p", { class: "muted" }, `责任人：${(m.responsiblePersons ?? []).join("、") || "—"}`),
    h("p", {}, h("a", { href: `#/measure/${m.id}` }, "查看详情和历史")));
  const status = m.status ?? "";
  if (writes && OPEN.includes(status)) panel.append(progressForm(m));
  if (writes && (status === "MEASURE_STATUS_IN_PROGRESS" || status === "MEASURE_STATUS_REOPENED")) panel.append(completeForm(m));
  if (writes && status === "MEASURE_STATUS_NOT_STARTED") panel.append(h("p", { class: "muted" }, "先填报进展，再标记完成。"));
  panel.append(h("h4", {}, "佐证照片"));
  try { panel.append(await evidenceGallery(m.id)); }
  catch (e) { panel.append(h("p", { class: "field-error" }, e instanceof Error ? e.message : String(e))); }
}

/**
 * The camera or the phone's gallery. The browser's own file button speaks the operating system's language, so it is
 * hidden behind a Chinese button of the page's, which says what was chosen.
 */
function photoInput(): HTMLElement {
  const input = h("input", { type: "file", name: "photos", accept: "image/*", capture: "environment", multiple: true, "data-field": "evidence", class: "photo-file" });
  const chosen = h("span", { class: "muted photo-chosen" }, "未选择照片");
  input.addEventListener("change", () => {
    const names = [...(input.files ?? [])].map(f => f.name);
    chosen.textContent = names.length ? `已选 ${names.length} 张：${names.join("、")}` : "未选择照片";
  });
  return h("label", { class: "photo-picker" }, "拍照或选择照片", input, h("span", { class: "button secondary" }, "选择照片"), chosen);
}

function progressForm(m: Measure): HTMLFormElement {
  const form = h("form", { class: "village-form", "data-form": "progress" },
    h("h4", {}, "填报进展"),
    h("label", {}, "完成进度（%）", h("input", { type: "number", name: "percent", min: 0, max: 100, step: 1, required: true, value: m.percent ?? 0, inputmode: "numeric", "data-field": "percent" })),
    h("label", {}, "进展情况", h("textarea", { name: "note", rows: 3, maxlength: 4000, "data-field": "note" })),
    photoInput(),
    h("ul", { class: "upload-list" }),
    h("button", { type: "submit" }, "提交进展"));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    await submit(form, m, async evidence => {
      const data = new FormData(form);
      await api("measures", "RecordProgress", { measureId: m.id, percent: Number(data.get("percent")), note: String(data.get("note") ?? ""), evidence });
      toast("进展已提交");
    });
  });
  return form;
}

function completeForm(m: Measure): HTMLFormElement {
  const form = h("form", { class: "village-form", "data-form": "complete" },
    h("h4", {}, "标记完成"),
    h("label", {}, "完成情况", h("textarea", { name: "note", rows: 3, maxlength: 4000, required: true, "data-field": "note" })),
    photoInput(),
    h("ul", { class: "upload-list" }),
    h("button", { type: "submit" }, "标记完成，报乡镇销号"));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    await submit(form, m, async evidence => {
      const data = new FormData(form);
      await api("measures", "CompleteMeasure", { measureId: m.id, note: String(data.get("note") ?? ""), evidence });
      toast("已标记完成，待乡镇销号");
    });
  });
  return form;
}

/** Uploads the chosen photos one by one (progress per photo), then sends the form with their evidence ids. */
async function submit(form: HTMLFormElement, m: Measure, send: (evidence: string[]) => Promise<void>): Promise<void> {
  const button = form.querySelector("button[type=submit]") as HTMLButtonElement;
  const files = [...((form.querySelector("input[type=file]") as HTMLInputElement).files ?? [])];
  const list = form.querySelector(".upload-list") as HTMLElement;
  button.disabled = true;
  try {
    const evidence: string[] = [];
    list.replaceChildren();
    for (const file of files) {
      const bar = h("progress", { max: 100, value: 0 });
      const state = h("span", { class: "muted" }, "上传中");
      list.append(h("li", { "data-upload": file.name }, h("span", {}, file.name), bar, state));
      const stored = await uploadPhoto(m.id, file, f => { bar.value = Math.round(f * 100); });
      bar.value = 100;
      state.textContent = "已上传";
      evidence.push(stored.evidenceId);
    }
    await send(evidence);
    // The list shows the new status and photos.
    await render();
  } catch (e) {
    showError(form, e);
  } finally {
    button.disabled = false;
  }
}


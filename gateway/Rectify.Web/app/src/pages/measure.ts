// One measure (整改措施): what it is, its history newest first, and the township's 销号 and 回炉 when the role may.
import { api } from "../api.js";
import { route, render } from "../router.js";
import { session, levelOf } from "../session.js";
import { h, show, table, link, toast, onSubmit, refusal, statusTag } from "../ui.js";
import { dateOf, dateZh, timeZh, label, monthParam, todayShanghai, type Ymd } from "../format.js";
import { type MeasureRow } from "./township.js";
import { evidenceGallery } from "../evidence.js";

interface Measure extends MeasureRow { townshipCode?: string; townshipName?: string; reopenCount?: number; planId?: string; }
interface Change {
  kind?: string; statusAfter?: string; on?: Ymd; percent?: number; note?: string; evidence?: string[]; verifier?: string;
  newDeadline?: Ymd; recordedBy?: string; recordedAt?: string;
}

const changeKind: Record<string, string> = {
  MEASURE_CHANGE_KIND_CREATED: "制定", MEASURE_CHANGE_KIND_PROGRESSED: "进展", MEASURE_CHANGE_KIND_COMPLETED: "报告完成",
  MEASURE_CHANGE_KIND_CLOSED: "销号", MEASURE_CHANGE_KIND_REOPENED: "回炉",
};

route("/measure/:id", async ({ id }, signal) => {
  // The photos the village sent are what the township verifies before 销号: loaded with the measure.
  const [detail, photos] = await Promise.all([
    api<{ measure: Measure; history?: Change[] }>("measures", "GetMeasure", { measureId: id }),
    evidenceGallery(id),
  ]);
  const m = detail.measure;
  // A village's township is its code's first nine digits: named even when the measure does not carry it.
  m.townshipCode ||= `${m.villageCode.slice(0, 9)}000`;
  const history = [...(detail.history ?? [])].reverse();
  const account = session.account()!;
  // 销号 and 回炉 are the township's (or above): never offered to a village or to a viewer.
  const mayManage = session.canWrite() && levelOf(account.orgCode) !== "village";
  const month = monthParam(todayShanghai());

  const facts = h("dl", { class: "facts" },
    fact("村", link(`#/target/${m.villageCode}`, m.villageName || m.villageCode)),
    fact("乡镇", link(`#/township/${m.townshipCode}`, m.townshipName || "乡镇工作台")),
    fact("责任人", (m.responsiblePersons ?? []).join("、") || "—"),
    fact("完成时限", `${dateZh(m.deadline)}${m.ongoing ? "前及长期坚持" : ""}`),
    fact("状态", statusTag(m.status, m.overdue)),
    fact("进度", `${m.percent ?? 0}%`),
    fact("逾期", m.overdue ? h("span", { class: "tag overdue" }, `${m.daysOverdue ?? 0}天`) : "否"),
    fact("回炉次数", String(m.reopenCount ?? 0)));

  const rows = history.map(c => [
    timeZh(c.recordedAt), label(changeKind, c.kind), statusTag(c.statusAfter),
    c.on ? dateZh(c.on) : "—", c.percent !== undefined ? `${c.percent}%` : "—",
    [c.note, c.verifier ? `核验人：${c.verifier}` : "", c.newDeadline ? `新时限：${dateZh(c.newDeadline)}` : "",
      c.evidence?.length ? `佐证：${c.evidence.join("、")}` : ""].filter(Boolean).join("；") || "—",
    c.recordedBy ?? "—",
  ]);

  const actions: HTMLElement[] = [];
  if (mayManage && m.status === "MEASURE_STATUS_COMPLETED") actions.push(closeForm(m, account.displayName || account.userName));
  if (mayManage && (m.status === "MEASURE_STATUS_COMPLETED" || m.status === "MEASURE_STATUS_CLOSED")) actions.push(reopenForm(m));

  if (signal.aborted) return; // the person went on while this loaded
  show(
    h("div", { class: "crumbs" },
      link(`#/township/${m.townshipCode}`, m.townshipName || "乡镇工作台"), " › ",
      link(`#/target/${m.villageCode}`, m.villageName || m.villageCode), " › 整改措施"),
    h("section", { class: "card", id: "measure", "data-status": m.status ?? "" },
      h("h1", {}, m.description ?? "整改措施"),
      facts,
      h("div", { class: "toolbar" }, link(`#/plan/${m.villageCode}`, "整顿方案", { class: "tag" }),
        link(`#/overview/${m.townshipCode}/${month}`, "本乡镇总览", { class: "tag" }))),
    h("section", { class: "card", id: "photos" }, h("h2", {}, "佐证照片"), photos),
    actions.length ? h("div", { class: "grid" }, actions) : "",
    h("section", { class: "card" }, h("h2", {}, "办理记录"),
      h("div", { class: "table-wrap" }, table(["时间", "事项", "办理后状态", "日期", "进度", "说明", "办理人"], rows, { id: "history" }))));
});

function fact(name: string, value: Node | string): HTMLElement[] { return [h("dt", {}, name), h("dd", {}, value)]; }

function closeForm(m: Measure, me: string): HTMLElement {
  const form = h("form", { class: "card", id: "close" },
    h("h2", {}, "核验销号"),
    h("p", { class: "muted" }, "村已报告完成，经实地核验达到整改要求后销号。"),
    h("label", {}, "核验人", h("input", { name: "verifier", value: me, required: true, "data-field": "verifier" })),
    h("label", {}, "核验情况", h("textarea", { name: "note", "data-field": "note" })),
    h("button", { type: "submit" }, "销号"));
  onSubmit(form, async data => {
    await api("measures", "CloseMeasure", { measureId: m.id, verifier: data.get("verifier"), note: data.get("note") });
    toast("已销号");
    void render();
  });
  return form;
}

function reopenForm(m: Measure): HTMLElement {
  const form = h("form", { class: "card", id: "reopen" },
    h("h2", {}, "回炉"),
    h("p", { class: "muted" }, "整改不到位的，写明原因并给出新的完成时限。"),
    h("label", {}, "回炉原因", h("textarea", { name: "reason", "data-field": "reason" })),
    h("label", {}, "新的完成时限", h("input", { name: "newDeadline", type: "date", "data-field": "new_deadline" })),
    h("button", { type: "submit", class: "secondary" }, "回炉"));
  onSubmit(form, async data => {
    const reason = String(data.get("reason") ?? "").trim();
    // The reason is what the village acts on: refused here before anything is sent.
    if (!reason) throw refusal("请填写回炉原因", "reason", "回炉原因不能为空");
    await api("measures", "ReopenMeasure", { measureId: m.id, reason, newDeadline: dateOf(String(data.get("newDeadline") ?? "")) });
    toast("已回炉");
    void render();
  });
  return form;
}

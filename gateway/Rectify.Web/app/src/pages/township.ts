// The township's workbench (乡镇党建办): its target villages with their plans and counts, and its ledger (台账) of
// every measure, the ones completed and awaiting 销号 first.
import { api, ApiError } from "../api.js";
import { route } from "../router.js";
import { session, levelOf } from "../session.js";
import { h, show, table, link, statusTag } from "../ui.js";
import { countyOf, currentCampaign } from "../campaigns.js";
import { dateZh, label, measureStatus, monthParam, num, todayShanghai, type Ymd } from "../format.js";
import { ledgerButton } from "../ledger.js";

export interface Counts { total?: number; completed?: number; closed?: number; overdue?: number; reopened?: number; }
export interface MeasureRow {
  id: string; villageCode: string; villageName?: string; description?: string; responsiblePersons?: string[];
  deadline?: Ymd; ongoing?: boolean; status?: string; percent?: number; overdue?: boolean; daysOverdue?: number; categoryCode?: string;
}
interface Branch { villageCode: string; villageName?: string; townshipCode?: string; townshipName?: string; }
interface Target { branch: Branch; status?: string; }
interface TargetCounts { villageCode: string; villageName?: string; planId?: string; counts?: Counts; phase?: string; }

export const targetStatus: Record<string, string> = {
  TARGET_STATUS_DESIGNATED: "整顿中", TARGET_STATUS_TRANSFORMED: "已转化", TARGET_STATUS_REOPENED: "回炉",
};


/** Every measure of a scope, page by page (at most 500 a page). */
export async function allMeasures(body: Record<string, unknown>): Promise<{ measures: MeasureRow[]; total: number }> {
  const measures: MeasureRow[] = [];
  let pageToken = "";
  let total = 0;
  do {
    const page = await api<{ measures?: MeasureRow[]; page?: { nextPageToken?: string }; totalSize?: number }>(
      "measures", "ListMeasures", { ...body, page: { pageSize: 500, pageToken } });
    measures.push(...(page.measures ?? []));
    total = page.totalSize ?? measures.length;
    pageToken = page.page?.nextPageToken ?? "";
  } while (pageToken);
  return { measures, total };
}

// 待销号 first (it is the township's work), then the overdue, then by deadline.
function order(m: MeasureRow): number {
  return m.status === "MEASURE_STATUS_COMPLETED" ? 0 : m.overdue ? 1 : m.status === "MEASURE_STATUS_CLOSED" ? 3 : 2;
}
function deadlineKey(m: MeasureRow): number { return (m.deadline?.year ?? 0) * 10000 + (m.deadline?.month ?? 0) * 100 + (m.deadline?.day ?? 0); }

route("/township/:code", async ({ code }, signal) => {
  if (levelOf(code) !== "township") throw new ApiError(5, "未找到：该编码不是乡镇", [], 404);
  const campaign = await currentCampaign(code);
  const year = campaign?.year ?? 0;
  const [targets, counts] = await Promise.all([
    campaign ? api<{ targets?: Target[] }>("assessment", "ListTargets", { campaignId: campaign.id }) : Promise.resolve({ targets: [] as Target[] }),
    api<{ targets?: TargetCounts[]; total?: Counts }>("measures", "GetLedgerCounts", { scopeCode: code, campaignYear: year }),
  ]);
  const mine = (targets.targets ?? []).filter(t => t.branch.townshipCode === code || t.branch.villageCode.startsWith(code.slice(0, 9)));
  const byVillage = new Map((counts.targets ?? []).map(t => [t.villageCode, t]));
  const townshipName = mine[0]?.branch.townshipName || code;
  const month = monthParam(todayShanghai());
  const canPlan = session.canWrite() && levelOf(session.account()!.orgCode) !== "village";

  const villages = h("section", { class: "card", id: "targets" },
    h("h2", {}, `整顿对象（${year ? `${year}年度` : "暂无整顿年度"}）`),
    h("div", { class: "table-wrap" }, table(["村", "状态", "整顿方案", "措施", "待销号", "已销号", "逾期"], mine.map(t => {
      const c = byVillage.get(t.branch.villageCode);
      return [
        link(`#/target/${t.branch.villageCode}`, t.branch.villageName || t.branch.villageCode),
        h("span", { class: "tag" }, label(targetStatus, t.status)),
        c?.planId ? link(`#/plan/${t.branch.villageCode}`, canPlan ? "查看/编辑方案" : "查看方案")
          : canPlan ? link(`#/plan/${t.branch.villageCode}`, "制定方案", { class: "tag overdue" }) : h("span", { class: "muted" }, "尚未制定"),
        num(c?.counts?.total), num(c?.counts?.completed), num(c?.counts?.closed),
        c?.counts?.overdue ? h("span", { class: "tag overdue" }, num(c.counts.overdue)) : "0",
      ];
    }), { "data-rows": "targets" })));

  const statusSelect = h("select", { name: "status", "aria-label": "状态" },
    h("option", { value: "" }, "全部状态"),
    Object.entries(measureStatus).map(([value, text]) => h("option", { value }, text)));
  const villageSelect = h("select", { name: "village", "aria-label": "村" },
    h("option", { value: "" }, "全部村"), mine.map(t => h("option", { value: t.branch.villageCode }, t.branch.villageName || t.branch.villageCode)));
  const overdueOnly = h("input", { type: "checkbox", name: "overdue" });
  const ledger = h("div", { class: "table-wrap", id: "ledger" });
  const total = h("span", { class: "muted", id: "ledger-total" });

  async function load(): Promise<void> {
    const body: Record<string, unknown> = { scopeCode: villageSelect.value || code, campaignYear: year, overdueOnly: overdueOnly.checked };
    if (statusSelect.value) body["statuses"] = [statusSelect.value];
    const { measures, total: size } = await allMeasures(body);
    measures.sort((a, b) => order(a) - order(b) || deadlineKey(a) - deadlineKey(b));
    total.textContent = `共 ${num(size)} 条`;
    total.dataset["total"] = String(size);
    const rows = measures.map(m => [
      m.villageName || m.villageCode,
      m.description ? link(`#/measure/${m.id}`, m.description) : link(`#/measure/${m.id}`, "查看"),
      (m.responsiblePersons ?? []).join("、") || "—",
      `${dateZh(m.deadline)}${m.ongoing ? "前及长期坚持" : ""}`,
      statusTag(m.status, m.overdue),
      m.overdue ? h("span", { class: "tag overdue" }, `${num(m.daysOverdue)}天`) : "—",
    ]);
    const t = table(["村", "整改措施", "责任人", "完成时限", "状态", "逾期"], rows, { class: "ledger" });
    t.querySelectorAll("tbody tr").forEach((tr, i) => { if (measures[i]) tr.setAttribute("data-measure", measures[i].id); });
    ledger.replaceChildren(t);
  }
  for (const input of [statusSelect, villageSelect, overdueOnly]) input.addEventListener("change", () => void load());

  await load();
  if (signal.aborted) return; // the person went on while this loaded
  show(
    h("div", { class: "crumbs" }, link(`#/overview/${countyOf(code)}/${month}`, "全县总览"), " › ", townshipName),
    h("div", { class: "toolbar" }, h("h1", {}, `${townshipName}工作台`),
      link(`#/township/${code}/report/${month}`, `${todayShanghai().month}月月报`, { class: "tag" }),
      link(`#/overview/${code}/${month}`, "本乡镇总览", { class: "tag" }),
      ledgerButton(code)),
    h("div", { class: "kpis" },
      kpi("整改措施", counts.total?.total), kpi("待销号", counts.total?.completed), kpi("已销号", counts.total?.closed), kpi("逾期", counts.total?.overdue, true)),
    villages,
    h("section", { class: "card" },
      h("h2", {}, "整改台账"),
      h("div", { class: "toolbar" }, statusSelect, villageSelect, h("label", { class: "check" }, overdueOnly, "只看逾期"), total),
      ledger));
});

function kpi(name: string, value: number | undefined, alert = false): HTMLElement {
  return h("div", { class: `kpi${alert && value ? " alert" : ""}` }, h("div", { class: "value" }, num(value)), h("div", { class: "name" }, name));
}

// The county's review queue (审核): the townships' monthly reports to accept or return (退回) with a reason, the
// townships' proposed targets to confirm or reject with the ranking's explanation beside each, and the targets whose
// plan is over and await 验收. A reviewer decides; anyone else in line reads it, without the buttons.
import { api } from "../api.js";
import { route, go } from "../router.js";
import { session, levelOf } from "../session.js";
import { h, show, table, toast, showError, link, monthSelect, onSubmit, refusal } from "../ui.js";
import { campaignsOf, findingNames, type Campaign } from "../campaigns.js";
import { downloadButton } from "../downloads.js";
import { dateZh, timeZh, monthZh, parseMonth, todayShanghai, num, percent, label, reportStatus, type Ymd } from "../format.js";

interface Period { year: number; month: number; }
interface Indicators {
  meetingsHeld?: number; trainings?: number; membersDeveloped?: number; servicesForPeople?: number; disputesMediated?: number;
  collectiveIncomeToDateYuan?: string;
}
interface Ledger { total?: number; completed?: number; closed?: number; overdue?: number; }
interface VillageEntry {
  villageCode: string; villageName?: string; workDone?: string; problemsMet?: string; nextMonthPlan?: string;
  indicators?: Indicators; ledger?: Ledger;
}
interface Report {
  unitCode: string; unitName?: string; period: Period; revision?: number; status?: string; timeliness?: string; submittedOn?: Ymd;
  villages?: VillageEntry[]; totals?: Indicators; ledgerTotals?: Ledger; returnReason?: string; reviewedBy?: string; updatedAt?: string;
}
interface ExpectedReport { unitCode: string; unitName?: string; timeliness?: string; status?: string; revision?: number; exceptionGranted?: boolean; }
interface ListReports { period: Period; dueOn?: Ymd; lockedAfter?: Ymd; reports?: ExpectedReport[]; }
interface Branch { villageCode: string; villageName?: string; townshipCode?: string; townshipName?: string; }
interface Explanation {
  satisfactionRate?: number; satisfactionComponent?: number; committeeScore?: number; committeeComponent?: number;
  deductions?: { findingCode?: string; findingName?: string; points?: number }[]; composite?: number; autoDesignationReasons?: string[]; text?: string;
}
interface Proposal {
  branch: Branch; status?: string; bottomQuota?: boolean; autoDesignationReasons?: string[];
  ranking?: { rank?: number; townshipRank?: number; explanation?: Explanation };
  reviewReason?: string; overrideReason?: string; reviewedBy?: string; reviewedAt?: string;
}
interface TargetCounts { villageCode: string; villageName?: string; townshipName?: string; phase?: string; counts?: Ledger; }

export const timeliness: Record<string, string> = {
  TIMELINESS_UNSPECIFIED: "—", TIMELINESS_PENDING: "未到期", TIMELINESS_ON_TIME: "按时", TIMELINESS_LATE: "逾期报送", TIMELINESS_MISSING: "逾期未报",
};
const proposalStatus: Record<string, string> = {
  PROPOSAL_STATUS_PROPOSED: "待审核", PROPOSAL_STATUS_CONFIRMED: "已确认", PROPOSAL_STATUS_REJECTED: "不列为对象",
};
const statusClass: Record<string, string> = {
  REPORT_STATUS_ACCEPTED: "accepted", REPORT_STATUS_RETURNED: "returned", PROPOSAL_STATUS_CONFIRMED: "accepted", PROPOSAL_STATUS_REJECTED: "returned",
};

function tag(map: Record<string, string>, key: string | undefined): HTMLElement {
  return h("span", { class: `tag ${statusClass[key ?? ""] ?? ""}`, "data-status": key ?? "" }, label(map, key));
}

/** The month under review by default: last month, whose reports arrive in this one. */
function lastMonth(): Period {
  const t = todayShanghai();
  return t.month === 1 ? { year: t.year - 1, month: 12 } : { year: t.year, month: t.month - 1 };
}

route("/review/:code", params => reviewPage(params.code, lastMonth()));
route("/review/:code/:month", params => reviewPage(params.code, parseMonth(params.month) ?? lastMonth()));

async function reviewPage(code: string, period: Period): Promise<void> {
  const reports = h("section", { class: "card", id: "reports" });
  const detail = h("section", { class: "card report-detail", id: "report-detail", hidden: true });
  const proposals = h("section", { class: "card", id: "proposals" }, h("h2", {}, "候选整顿对象"), h("p", { class: "muted" }, "正在加载…"));
  const acceptance = h("section", { class: "card", id: "awaiting-acceptance" }, h("h2", {}, "待验收对象"), h("p", { class: "muted" }, "正在加载…"));
  // The reports are the page's first business: refused or missing, the whole page says so.
  await renderReports(reports, detail, code, period);
  show(h("h1", {}, "审核工作台"), reports, detail, proposals, acceptance);
  if (levelOf(code) !== "county") {
    proposals.replaceChildren(h("h2", {}, "候选整顿对象"), h("p", { class: "muted" }, "候选对象由县级组织部审核，请在县级页面查看。"));
    acceptance.remove();
    return;
  }
  await Promise.all([renderProposals(proposals, code, null).catch(e => failed(proposals, "候选整顿对象", e)),
    renderAwaiting(acceptance, code).catch(e => failed(acceptance, "待验收对象", e))]);
}

function failed(section: HTMLElement, title: string, e: unknown): void {
  section.replaceChildren(h("h2", {}, title), h("p", { class: "field-error" }, e instanceof Error ? e.message : String(e)));
}

// —— 月报审核 ——

async function renderReports(section: HTMLElement, detail: HTMLElement, code: string, period: Period): Promise<void> {
  const list = await api<ListReports>("reporting", "ListReports", { scopeCode: code, period });
  // The two years up to this month: the campaign's and the one before, for late reviews.
  const today = todayShanghai();
  const months = Array.from({ length: 24 }, (_, i) => {
    const n = today.year * 12 + today.month - 1 - i;
    return { year: Math.floor(n / 12), month: (n % 12) + 1 };
  }).reverse();
  if (!months.some(p => p.year === period.year && p.month === period.month)) months.unshift(period);
  const picker = monthSelect(months, period, value => go(`/review/${code}/${value}`), "review-month");
  const rows = (list.reports ?? []).map(r => {
    // A pushed report opens from the township's name: the first column, so a phone needs no sideways scroll for it.
    const name = r.unitName ?? r.unitCode;
    const canOpen = r.status && r.status !== "REPORT_STATUS_UNSPECIFIED";
    const open = h("button", { type: "button", class: "link open-report", "data-unit": r.unitCode, title: "查看月报" }, name);
    open.addEventListener("click", () => void openReport(detail, section, code, r.unitCode, period));
    return [canOpen ? open : name, tag(reportStatus, r.status ?? "REPORT_STATUS_UNSPECIFIED"), label(timeliness, r.timeliness),
      r.revision ? `第${r.revision}版` : "—", r.exceptionGranted ? h("span", { class: "tag" }, "准予补报") : "—"];
  });
  const grid = table(["乡镇（点击查看）", "状态", "报送情况", "版本", "补报"], rows, { class: "reports-table" });
  grid.querySelectorAll("tbody tr").forEach((tr, i) => { const r = list.reports?.[i]; if (r) tr.setAttribute("data-unit", r.unitCode); });
  const waiting = (list.reports ?? []).filter(r => r.status === "REPORT_STATUS_SUBMITTED").length;
  section.replaceChildren(
    h("h2", {}, `${monthZh(period)}乡镇月报`),
    h("div", { class: "toolbar" }, picker,
      h("span", { class: "muted" }, `报送截止 ${dateZh(list.dueOn)}，锁定 ${dateZh(list.lockedAfter)}后；待审核 ${num(waiting)} 份`),
      levelOf(code) === "county" ? downloadButton("download-bulletin", "下载通报", `/v1/documents/bulletins/${code}/${period.year}/${period.month}`) : ""),
    h("div", { class: "table-wrap" }, grid));
}

async function openReport(detail: HTMLElement, listSection: HTMLElement, code: string, unit: string, period: Period): Promise<void> {
  let report: Report;
  try {
    report = await api<Report>("reporting", "GetReport", { unitCode: unit, period });
  } catch (e) {
    detail.hidden = false;
    failed(detail, "月报", e);
    return;
  }
  // After a decision the list and the report are read again, so what the page shows is what the service holds.
  const decided = async (text: string) => {
    toast(text);
    await renderReports(listSection, detail, code, period);
    await openReport(detail, listSection, code, unit, period);
  };
  detail.hidden = false;
  detail.setAttribute("data-unit", unit);
  const parts = [
    h("h2", {}, `${report.unitName ?? unit} · ${monthZh(report.period)}月报`),
    h("p", { class: "report-meta" }, tag(reportStatus, report.status), " ",
      `第${report.revision ?? 1}版 · 报送于 ${dateZh(report.submittedOn)} · ${label(timeliness, report.timeliness)}`,
      report.reviewedBy ? ` · 审核人 ${report.reviewedBy}` : "", report.updatedAt ? ` · 更新于 ${timeZh(report.updatedAt)}` : ""),
    report.returnReason ? h("p", { class: "return-reason", role: "note" }, h("strong", {}, "退回理由："), report.returnReason) : null,
    h("h3", {}, "指标合计与台账快照"),
    h("div", { class: "table-wrap" }, indicatorTable([["合计", report.totals, report.ledgerTotals]])),
    h("h3", {}, "各村报告"),
    ...(report.villages ?? []).map(villageBlock),
    decisionForm(report, decided)];
  detail.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  detail.scrollIntoView({ block: "start" });
}

function indicatorTable(rows: [string, Indicators | undefined, Ledger | undefined][]): HTMLTableElement {
  return table(["", "三会一课", "培训", "发展党员", "为民办实事", "调解纠纷", "集体收入（元）", "措施总数", "已完成", "已销号", "逾期"],
    rows.map(([name, i, l]) => [name, num(i?.meetingsHeld), num(i?.trainings), num(i?.membersDeveloped), num(i?.servicesForPeople),
      num(i?.disputesMediated), num(i?.collectiveIncomeToDateYuan), num(l?.total), num(l?.completed), num(l?.closed), num(l?.overdue)]));
}

function villageBlock(v: VillageEntry): HTMLElement {
  return h("div", { class: "village-entry" },
    h("h4", {}, v.villageName ?? v.villageCode),
    h("dl", { class: "entry" },
      h("dt", {}, "本月工作"), h("dd", {}, v.workDone || "—"),
      h("dt", {}, "存在问题"), h("dd", {}, v.problemsMet || "—"),
      h("dt", {}, "下月计划"), h("dd", {}, v.nextMonthPlan || "—")),
    h("div", { class: "table-wrap" }, indicatorTable([["本村", v.indicators, v.ledger]])));
}

function decisionForm(report: Report, decided: (text: string) => Promise<void>): HTMLElement | null {
  if (!session.canDecide() || report.status !== "REPORT_STATUS_SUBMITTED") return null;
  const request = { unitCode: report.unitCode, period: report.period };
  const reason = h("textarea", { name: "reason", id: "return-reason", "data-field": "reason", maxlength: 1000, placeholder: "退回时必填：请写明需要核实或修改的内容" });
  const form = h("form", { class: "decision", id: "report-decision" },
    h("label", {}, "审核意见（退回理由）", reason),
    h("div", { class: "toolbar" },
      h("button", { type: "button", id: "accept-report" }, "通过"),
      h("button", { type: "submit", class: "secondary", id: "return-report" }, "退回")));
  form.querySelector("#accept-report")!.addEventListener("click", async () => {
    try {
      await api("reporting", "AcceptReport", request);
      await decided("月报已通过");
    } catch (e) { showError(form, e); }
  });
  onSubmit(form, async () => {
    // The reason is what the township reads: an empty one is refused here, before the server refuses it too.
    if (!reason.value.trim()) {
      reason.focus();
      throw refusal("请填写退回理由", "reason", "退回月报必须填写理由");
    }
    await api("reporting", "ReturnReport", { ...request, reason: reason.value });
    await decided("月报已退回");
  });
  return form;
}

// —— 候选整顿对象（两评—调研—排序）——

async function renderProposals(section: HTMLElement, county: string, campaignId: string | null): Promise<void> {
  const campaigns = await campaignsOf(county);
  const withProposals = campaigns.filter(c => !c.enteredAsHistory);
  if (!withProposals.length) {
    section.replaceChildren(h("h2", {}, "候选整顿对象"), h("p", { class: "muted" }, "本县尚未开展整顿年度的评议。"));
    return;
  }
  // Open by default the newest campaign still under review, else the newest.
  const campaign = withProposals.find(c => c.id === campaignId) ?? withProposals.find(c => !c.confirmed) ?? withProposals[0];
  const picker = h("select", { id: "campaign", "aria-label": "整顿年度" },
    withProposals.map(c => h("option", { value: c.id, selected: c.id === campaign.id, "data-year": c.year }, `${c.year}年度${c.confirmed ? "（已确认）" : "（审核中）"}`)));
  picker.addEventListener("change", () => void renderProposals(section, county, picker.value).catch(e => failed(section, "候选整顿对象", e)));
  const { proposals = [] } = await api<{ proposals?: Proposal[] }>("assessment", "ListProposals", { campaignId: campaign.id });
  const open = proposals.filter(p => p.status === "PROPOSAL_STATUS_PROPOSED").length;
  const decide = session.canDecide() && !campaign.confirmed;
  const again = () => renderProposals(section, county, campaign.id);
  const rows = proposals.map(p => [
    h("span", { class: "rank" }, `第${p.ranking?.rank ?? "—"}名`, h("br"), h("span", { class: "muted" }, `乡镇内第${p.ranking?.townshipRank ?? "—"}名`)),
    h("span", {}, p.branch.villageName ?? p.branch.villageCode, h("br"), h("span", { class: "muted" }, p.branch.townshipName ?? "")),
    explanation(campaign, p),
    h("span", {}, tag(proposalStatus, p.status), p.reviewReason ? h("span", { class: "muted review-reason" }, p.reviewReason) : null,
      p.overrideReason ? h("span", { class: "muted" }, `（推翻直接认定：${p.overrideReason}）`) : null),
    decide && p.status === "PROPOSAL_STATUS_PROPOSED" ? proposalForm(campaign.id, p, again) : "",
  ]);
  const grid = table(["排名", "村（乡镇）", "评分说明", "状态与理由", decide ? "审核" : ""], rows, { class: "proposals-table" });
  grid.querySelectorAll("tbody tr").forEach((tr, i) => { const p = proposals[i]; if (p) tr.setAttribute("data-village", p.branch.villageCode); });
  const confirmAll = decide && proposals.length
    ? h("button", { type: "button", id: "confirm-targets", disabled: open > 0, title: open > 0 ? "每个候选对象审核后方可确认" : "" }, "确认整顿对象名单")
    : null;
  const confirmForm = h("div", { class: "toolbar" }, confirmAll,
    h("span", { class: "muted" }, campaign.confirmed ? "名单已确认，评分已冻结。" : `共 ${num(proposals.length)} 个候选对象，待审核 ${num(open)} 个。`));
  confirmAll?.addEventListener("click", async () => {
    if (!confirm(`确认${campaign.year}年度整顿对象名单？确认后评分冻结，并通知各乡镇制定整顿方案。`)) return;
    try {
      const result = await api<{ targets?: Branch[] }>("assessment", "ConfirmTargets", { campaignId: campaign.id });
      toast(`已确认 ${num(result.targets?.length ?? 0)} 个整顿对象`);
      await again();
    } catch (e) { showError(confirmForm, e); }
  });
  section.replaceChildren(
    h("h2", {}, "候选整顿对象（两评—调研—排序）"),
    h("div", { class: "toolbar" }, h("label", { class: "inline" }, "整顿年度 ", picker)),
    h("div", { class: "table-wrap" }, grid),
    confirmForm);
}

function explanation(campaign: Campaign, p: Proposal): HTMLElement {
  const e = p.ranking?.explanation ?? {};
  const auto = p.autoDesignationReasons?.length ? p.autoDesignationReasons : e.autoDesignationReasons ?? [];
  return h("div", { class: "explanation" },
    h("div", {}, h("strong", {}, `综合得分 ${(e.composite ?? 0).toFixed(2)}`),
      p.bottomQuota ? h("span", { class: "tag" }, "排名靠后") : null, auto.length ? h("span", { class: "tag overdue" }, "直接认定") : null),
    h("div", { class: "muted" }, `满意率 ${percent(e.satisfactionRate)}（计 ${(e.satisfactionComponent ?? 0).toFixed(2)} 分）· 乡镇党委评价 ${(e.committeeScore ?? 0).toFixed(2)}（计 ${(e.committeeComponent ?? 0).toFixed(2)} 分）`),
    (e.deductions ?? []).length ? h("div", { class: "muted" }, `扣分：${(e.deductions ?? []).map(d => `${d.findingName || d.findingCode} −${d.points}`).join("；")}`) : null,
    auto.length ? h("div", { class: "auto-reasons" }, `直接认定：${findingNames(campaign, auto)}`) : null,
    e.text ? h("details", {}, h("summary", {}, "计分明细"), h("p", {}, e.text)) : null);
}

function proposalForm(campaignId: string, p: Proposal, again: () => Promise<void>): HTMLElement {
  const auto = (p.autoDesignationReasons ?? []).length > 0;
  const reason = h("input", { name: "reason", "data-field": "reason", maxlength: 1000, placeholder: "审核理由（必填）" });
  const override = auto ? h("input", { name: "override", "data-field": "override_reason", maxlength: 1000, placeholder: "不列为对象时必填：推翻直接认定的理由" }) : null;
  const form = h("form", { class: "proposal-review", "data-village": p.branch.villageCode }, reason, override,
    h("div", { class: "toolbar" },
      h("button", { type: "submit", name: "confirm", value: "true", class: "confirm-proposal" }, "确认"),
      h("button", { type: "submit", name: "confirm", value: "false", class: "secondary reject-proposal" }, "不列为")));
  onSubmit(form, async (_, event) => {
    const confirmIt = (event.submitter as HTMLButtonElement | null)?.value !== "false";
    if (!reason.value.trim()) throw refusal("请填写审核理由", "reason", "确认或不列为对象都须写明理由");
    await api("assessment", "ReviewProposal", {
      campaignId, villageCode: p.branch.villageCode, confirm: confirmIt, reason: reason.value, overrideReason: override?.value ?? "",
    });
    toast(confirmIt ? "已确认为整顿对象" : "已不列为整顿对象");
    await again();
  });
  return form;
}

// —— 待验收 ——

async function renderAwaiting(section: HTMLElement, county: string): Promise<void> {
  const campaigns = await campaignsOf(county);
  const campaign = campaigns.find(c => c.confirmed || c.enteredAsHistory);
  if (!campaign) {
    section.replaceChildren(h("h2", {}, "待验收对象"), h("p", { class: "muted" }, "尚无已确认的整顿对象。"));
    return;
  }
  // The phase comes from the ledger's shared rule (待验收: the plan's last phase is over); the status from assessment.
  const [counts, listed] = await Promise.all([
    api<{ targets?: TargetCounts[] }>("measures", "GetLedgerCounts", { scopeCode: county, campaignYear: campaign.year }),
    api<{ targets?: { branch: Branch; status?: string }[] }>("assessment", "ListTargets", { campaignId: campaign.id }),
  ]);
  const status = new Map((listed.targets ?? []).map(t => [t.branch.villageCode, t.status]));
  const awaiting = (counts.targets ?? []).filter(t => t.phase === "待验收" && status.get(t.villageCode) !== "TARGET_STATUS_TRANSFORMED");
  const rows = awaiting.map(t => [
    link(`#/target/${t.villageCode}-${campaign.year}`, t.villageName ?? t.villageCode, { class: "target-link" }), t.townshipName ?? "",
    h("span", { class: "tag" }, t.phase ?? ""), `${num(t.counts?.closed)} / ${num(t.counts?.total)}`, num(t.counts?.overdue),
    status.get(t.villageCode) === "TARGET_STATUS_REOPENED" ? h("span", { class: "tag overdue" }, "回炉") : "整顿中",
  ]);
  section.replaceChildren(
    h("h2", {}, `待验收对象（${campaign.year}年度）`),
    h("p", { class: "muted" }, "整顿方案各阶段已结束的对象；打开对象页进行验收。"),
    h("div", { class: "table-wrap" }, table(["村", "乡镇", "阶段", "已销号 / 措施", "逾期", "状态"], rows, { class: "awaiting-table" })));
}

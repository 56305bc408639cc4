// A target (整顿对象): the village and year, why it was designated, its plan (phases, problems → measures), and its
// acceptance (验收: pass → 转化, fail → 回炉) recorded by a reviewer. Its address is #/target/{villageCode}-{year};
// #/target/{planId} and #/target/{villageCode} (the newest campaign) are taken too, so any page can link to it.
import { api, ApiError } from "../api.js";
import { route, render } from "../router.js";
import { session } from "../session.js";
import { h, show, table, toast, showError, link } from "../ui.js";
import { campaignsOf, findingNames, type Campaign } from "../campaigns.js";
import { downloadButton } from "../downloads.js";
import { dateOf, dateValue, dateZh, monthParam, todayShanghai, num, percent, label, measureStatus, type Ymd } from "../format.js";

interface Branch { villageCode: string; villageName?: string; townshipCode?: string; townshipName?: string; }
interface Review {
  kind?: string; heldOn?: Ymd; score?: number; dissatisfiedShare?: number; passed?: boolean; reasons?: string[];
  statusAfter?: string; newDeadline?: Ymd; recordedBy?: string;
}
interface Target { branch: Branch; status?: string; reviews?: Review[]; lookBacksDue?: Ymd[]; decidedOn?: Ymd; basis?: string; }
interface Proposal {
  branch: Branch; status?: string; autoDesignationReasons?: string[]; reviewReason?: string;
  ranking?: { rank?: number; townshipRank?: number; explanation?: { composite?: number; satisfactionRate?: number; committeeScore?: number; deductions?: { findingName?: string; findingCode?: string; points?: number }[]; text?: string } };
}
interface Measure {
  id: string; problemId?: string; description?: string; responsiblePersons?: string[]; deadline?: Ymd; ongoing?: boolean;
  status?: string; percent?: number; overdue?: boolean; daysOverdue?: number;
}
interface Problem { id: string; categoryCode?: string; categoryName?: string; description?: string; }
interface Plan {
  id: string; villageCode: string; villageName?: string; campaignYear: number; startsOn?: Ymd; campaignEndsOn?: Ymd;
  basicSituation?: string; goals?: string[]; phases?: { name?: string; endsOn?: Ymd }[]; problems?: Problem[];
}

const targetStatus: Record<string, string> = {
  TARGET_STATUS_DESIGNATED: "整顿中", TARGET_STATUS_TRANSFORMED: "已转化", TARGET_STATUS_REOPENED: "回炉整顿",
};
const measureClass: Record<string, string> = { MEASURE_STATUS_CLOSED: "closed", MEASURE_STATUS_COMPLETED: "done", MEASURE_STATUS_REOPENED: "returned" };

route("/target/:id", async params => {
  const { village, year } = await resolve(params.id);
  const [campaigns, plan, measures] = await Promise.all([
    campaignsOf(village),
    api<Plan>("measures", "GetPlan", { villageYear: { villageCode: village, campaignYear: year } }).catch(notFoundAs(null)),
    api<{ measures?: Measure[]; totalSize?: number }>("measures", "ListMeasures", { scopeCode: village, campaignYear: year, page: { pageSize: 500 } }),
  ]);
  const campaign = campaigns.find(c => c.year === year) ?? campaigns.find(c => year === 0 && c.confirmed);
  if (!campaign) throw new ApiError(5, `未找到：${year}年度没有该村所在县的整顿年度`, [], 404);
  const [{ targets = [] }, proposal] = await Promise.all([
    api<{ targets?: Target[] }>("assessment", "ListTargets", { campaignId: campaign.id }),
    api<{ proposals?: Proposal[] }>("assessment", "ListProposals", { campaignId: campaign.id })
      .then(r => (r.proposals ?? []).find(p => p.branch.villageCode === village) ?? null).catch(() => null),
  ]);
  const target = targets.find(t => t.branch.villageCode === village);
  if (!target) throw new ApiError(5, `未找到：该村不是${campaign.year}年度的整顿对象`, [], 404);
  const name = target.branch.villageName ?? plan?.villageName ?? village;
  const month = monthParam(todayShanghai());
  const id = `${village}-${campaign.year}`;
  show(
    h("div", { class: "crumbs" }, link(`#/overview/${village}/${month}`, `${target.branch.townshipName ?? ""}${name}概况`)),
    h("h1", { class: "target-title" }, `${name} · ${campaign.year}年度整顿对象 `,
      h("span", { class: `tag ${target.status === "TARGET_STATUS_TRANSFORMED" ? "accepted" : target.status === "TARGET_STATUS_REOPENED" ? "returned" : ""}`, id: "target-status" },
        label(targetStatus, target.status))),
    plan ? h("div", { class: "toolbar" }, downloadButton("download-plan", "下载整顿方案", `/v1/documents/plans/${village}/${campaign.year}`)) : "",
    h("div", { class: "grid" }, why(campaign, target, proposal, plan), planCard(plan, id)),
    measuresCard(plan, measures.measures ?? [], measures.totalSize ?? 0),
    acceptanceCard(campaign, target, () => void render()));
});

/** The id in the address: villageCode-year, a 12-digit village code (newest campaign), or a plan's id. */
async function resolve(id: string): Promise<{ village: string; year: number }> {
  const pair = /^(\d{12})-(\d{4})$/.exec(id);
  if (pair) return { village: pair[1], year: Number(pair[2]) };
  if (/^\d{12}$/.test(id)) {
    return { village: id, year: (await campaignsOf(id)).find(c => c.confirmed)?.year ?? 0 };
  }
  const plan = await api<Plan>("measures", "GetPlan", { planId: id });
  return { village: plan.villageCode, year: plan.campaignYear };
}

function notFoundAs<T>(value: T): (e: unknown) => T {
  return e => { if (e instanceof ApiError && e.notFound) return value; throw e; };
}

function why(campaign: Campaign, target: Target, proposal: Proposal | null, plan: Plan | null): HTMLElement {
  const e = proposal?.ranking?.explanation;
  const categories = [...new Set((plan?.problems ?? []).map(p => p.categoryName || p.categoryCode).filter(Boolean))];
  return h("section", { class: "card", id: "why" },
    h("h2", {}, "认定情况"),
    h("dl", { class: "entry" },
      h("dt", {}, "所在乡镇"), h("dd", {}, target.branch.townshipName ?? "—"),
      target.decidedOn ? [h("dt", {}, "认定日期"), h("dd", {}, dateZh(target.decidedOn)), h("dt", {}, "认定依据"), h("dd", {}, target.basis || "—")] : null,
      proposal ? [
        h("dt", {}, "排序"), h("dd", {}, `全县第${proposal.ranking?.rank ?? "—"}名，乡镇内第${proposal.ranking?.townshipRank ?? "—"}名（1为最弱）`),
        h("dt", {}, "综合得分"), h("dd", {}, `${(e?.composite ?? 0).toFixed(2)}（满意率 ${percent(e?.satisfactionRate)}，乡镇党委评价 ${(e?.committeeScore ?? 0).toFixed(2)}）`),
        (e?.deductions ?? []).length ? [h("dt", {}, "调研扣分"), h("dd", {}, (e?.deductions ?? []).map(d => `${d.findingName || d.findingCode} −${d.points}`).join("；"))] : null,
        (proposal.autoDesignationReasons ?? []).length ? [h("dt", {}, "直接认定"), h("dd", {}, findingNames(campaign, proposal.autoDesignationReasons!))] : null,
        proposal.reviewReason ? [h("dt", {}, "县级审核意见"), h("dd", {}, proposal.reviewReason)] : null,
      ].flat() : null,
      categories.length ? [h("dt", {}, "问题类别"), h("dd", {}, categories.join("、"))] : null));
}

function planCard(plan: Plan | null, id: string): HTMLElement {
  const edit = session.canWrite() ? link(`#/plan/${id}`, "编辑整顿方案", { class: "edit-plan" }) : null;
  if (!plan)
    return h("section", { class: "card", id: "plan" }, h("h2", {}, "整顿方案"), h("p", { class: "muted" }, "尚未制定整顿方案。"), edit);
  return h("section", { class: "card", id: "plan" },
    h("h2", {}, "整顿方案"),
    h("p", { class: "muted" }, `${dateZh(plan.startsOn)}起，至${dateZh(plan.campaignEndsOn)}止`),
    plan.basicSituation ? h("p", {}, h("strong", {}, "基本情况："), plan.basicSituation) : null,
    (plan.goals ?? []).length ? h("div", {}, h("strong", {}, "整改目标："), h("ol", {}, (plan.goals ?? []).map(g => h("li", {}, g)))) : null,
    table(["阶段", "截止日期"], (plan.phases ?? []).map(p => [p.name ?? "", dateZh(p.endsOn)]), { class: "phases" }),
    edit);
}

function measuresCard(plan: Plan | null, measures: Measure[], total: number): HTMLElement {
  const row = (m: Measure) => [
    link(`#/measure/${m.id}`, m.description ?? m.id, { class: "measure-link" }),
    (m.responsiblePersons ?? []).join("、"),
    `${dateZh(m.deadline)}${m.ongoing ? "前及长期坚持" : ""}`,
    h("span", { class: `tag ${m.overdue ? "overdue" : measureClass[m.status ?? ""] ?? ""}` }, label(measureStatus, m.status), m.overdue ? `·逾期${m.daysOverdue}天` : ""),
    `${m.percent ?? 0}%`,
  ];
  const headers = ["整改措施", "责任人", "完成时限", "状态", "进度"];
  const problems = plan?.problems ?? [];
  const known = new Set(problems.map(p => p.id));
  const loose = measures.filter(m => !known.has(m.problemId ?? ""));
  return h("section", { class: "card", id: "measures", "data-total": total },
    h("h2", {}, `问题与整改措施（共 ${num(total)} 项）`),
    problems.map((p, i) => h("div", { class: "problem" },
      h("h3", {}, `问题${i + 1}：`, p.categoryName ? h("span", { class: "tag" }, p.categoryName) : null, " ", p.description ?? ""),
      h("div", { class: "table-wrap" }, table(headers, measures.filter(m => m.problemId === p.id).map(row), { class: "measures-table" })))),
    loose.length || !problems.length ? h("div", { class: "table-wrap" }, table(headers, loose.map(row), { class: "measures-table" })) : null);
}

function acceptanceCard(campaign: Campaign, target: Target, reload: () => void): HTMLElement {
  const reviews = target.reviews ?? [];
  const rows = reviews.map(r => [
    r.kind === "REVIEW_KIND_LOOK_BACK" ? "回头看" : "验收", dateZh(r.heldOn), (r.score ?? 0).toFixed(2), percent(r.dissatisfiedShare),
    h("span", { class: `tag ${r.passed ? "accepted" : "returned"}` }, r.passed ? "通过（转化）" : "未通过（回炉）"),
    [(r.reasons ?? []).join("；"), r.newDeadline && !r.passed ? `；措施新时限 ${dateZh(r.newDeadline)}` : ""].join("") || "—",
    r.recordedBy ?? "",
  ]);
  return h("section", { class: "card", id: "acceptance" },
    h("h2", {}, "验收"),
    h("div", { class: "table-wrap" }, table(["类型", "日期", "得分", "不满意率", "结果", "说明", "记录人"], rows, { class: "reviews" })),
    (target.lookBacksDue ?? []).length ? h("p", { class: "muted" }, `待开展回头看：${(target.lookBacksDue ?? []).map(dateZh).join("、")}`) : null,
    session.canDecide() && target.status !== "TARGET_STATUS_TRANSFORMED" ? acceptanceForm(campaign, target, reload) : null);
}


function acceptanceForm(campaign: Campaign, target: Target, reload: () => void): HTMLElement {
  const t = todayShanghai();
  const today = dateValue(t);
  const aspects = ["班子建设", "制度落实", "为民办事"];
  const numberInput = (name: string, field: string, attrs: Record<string, string | number> = {}) =>
    h("input", { type: "number", name, "data-field": field, required: true, min: 0, step: 1, inputmode: "numeric", ...attrs });
  const form = h("form", { id: "acceptance-form", class: "acceptance-form" },
    h("h3", {}, "记录验收（民主测评）"),
    h("div", { class: "fields" },
      h("label", {}, "验收日期", h("input", { type: "date", name: "heldOn", "data-field": "held_on", value: today, max: today })),
      aspects.map((a, i) => h("label", {}, `${a}得分（0–100）`, numberInput(`aspect${i}`, `aspects[${i}].score`, { max: 100, step: "0.01" }))),
      h("label", {}, "满意票", numberInput("satisfied", "votes.satisfied")),
      h("label", {}, "基本满意票", numberInput("basicallySatisfied", "votes.basically_satisfied")),
      h("label", {}, "不满意票", numberInput("dissatisfied", "votes.dissatisfied")),
      h("label", {}, "总票数", numberInput("ballots", "votes.ballots")),
      h("label", {}, "未通过时措施新时限", h("input", { type: "date", name: "newDeadline", "data-field": "new_deadline", required: true, min: today }))),
    h("span", { "data-field": "votes" }), h("span", { "data-field": "aspects" }),
    h("p", { class: "muted" }, "得分为各项平均分；未通过的对象回炉整顿，其措施按新时限重新推进。"),
    h("button", { type: "submit", id: "record-acceptance" }, "提交验收结果"));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const data = new FormData(form);
    const n = (k: string) => Number(data.get(k) ?? 0);
    try {
      const result = await api<Review>("assessment", "RecordAcceptance", {
        campaignId: campaign.id, villageCode: target.branch.villageCode,
        heldOn: dateOf(String(data.get("heldOn") ?? "")), newDeadline: dateOf(String(data.get("newDeadline") ?? "")),
        aspects: aspects.map((aspect, i) => ({ aspect, score: n(`aspect${i}`) })),
        votes: { satisfied: n("satisfied"), basicallySatisfied: n("basicallySatisfied"), dissatisfied: n("dissatisfied"), ballots: n("ballots") },
      });
      toast(result.passed ? "验收通过，已转化" : "验收未通过，已回炉整顿");
      reload();
    } catch (e) { showError(form, e); }
  });
  return form;
}

// The township's monthly report (乡镇月报): each target village's work, problems, next month's plan and indicators,
// beside its ledger as the measures service counts it; saved as a draft or submitted, and resubmitted when returned.
import { api, ApiError } from "../api.js";
import { route, render } from "../router.js";
import { session, levelOf } from "../session.js";
import { h, show, table, link, showError, toast } from "../ui.js";
import { dateZh, label, monthZh, num, parseMonth, reportStatus, todayShanghai, type Ymd } from "../format.js";
import { type Counts } from "./township.js";
import { currentCampaign } from "../campaigns.js";
import { downloadButton } from "../downloads.js";

interface Indicators {
  meetingsHeld?: number; trainings?: number; membersDeveloped?: number; servicesForPeople?: number; disputesMediated?: number;
  collectiveIncomeToDateYuan?: string;
}
interface Ledger { total?: number; completed?: number; closed?: number; overdue?: number; }
interface VillageEntry { villageCode: string; villageName?: string; workDone?: string; problemsMet?: string; nextMonthPlan?: string; indicators?: Indicators; ledger?: Ledger; }
interface Report {
  unitCode: string; unitName?: string; revision?: number; status?: string; timeliness?: string; submittedOn?: Ymd;
  villages?: VillageEntry[]; returnReason?: string; reviewedBy?: string;
}
interface Expected { unitCode: string; unitName?: string; timeliness?: string; status?: string; exceptionGranted?: boolean; }

const indicators: [keyof Indicators, string][] = [
  ["meetingsHeld", "“三会一课”（次）"], ["trainings", "培训（次）"], ["membersDeveloped", "发展党员（名）"],
  ["servicesForPeople", "为民办实事（件）"], ["disputesMediated", "调解矛盾纠纷（件）"], ["collectiveIncomeToDateYuan", "集体经济收入累计（元）"],
];
const timeliness: Record<string, string> = {
  TIMELINESS_PENDING: "未到期", TIMELINESS_ON_TIME: "按时", TIMELINESS_LATE: "逾期报送", TIMELINESS_MISSING: "未报送",
};

route("/township/:code/report/:month", async ({ code, month }, signal) => {
  const period = parseMonth(month);
  if (!period || levelOf(code) !== "township") throw new ApiError(5, "未找到：月份或乡镇编码有误", [], 404);
  const campaign = await currentCampaign(code);
  const [report, expected, counts, targets] = await Promise.all([
    api<Report>("reporting", "GetReport", { unitCode: code, period }).catch(e => { if (e instanceof ApiError && e.notFound) return null; throw e; }),
    api<{ reports?: Expected[]; dueOn?: Ymd; lockedAfter?: Ymd }>("reporting", "ListReports", { scopeCode: code, period }),
    api<{ targets?: { villageCode: string; villageName?: string; counts?: Counts }[] }>("measures", "GetLedgerCounts", { scopeCode: code, campaignYear: period.year }),
    campaign ? api<{ targets?: { branch: { villageCode: string; villageName?: string; townshipCode?: string } }[] }>("assessment", "ListTargets", { campaignId: campaign.id })
      : Promise.resolve({ targets: [] }),
  ]);
  const mine = expected.reports?.find(r => r.unitCode === code);
  const status = report?.status ?? "REPORT_STATUS_UNSPECIFIED";
  const ledgerOf = new Map((counts.targets ?? []).map(t => [t.villageCode, t]));
  // The villages reported on: the report's own, else the township's targets.
  const villages: VillageEntry[] = report?.villages?.length ? report.villages
    : (targets.targets ?? []).filter(t => t.branch.townshipCode === code).map(t => ({ villageCode: t.branch.villageCode, villageName: t.branch.villageName }));
  const today = todayShanghai();
  const monthOver = today.year * 12 + today.month > period.year * 12 + period.month;
  const editable = session.canWrite() && levelOf(session.account()!.orgCode) === "township"
    && (status === "REPORT_STATUS_UNSPECIFIED" || status === "REPORT_STATUS_DRAFT" || status === "REPORT_STATUS_RETURNED");
  const name = report?.unitName || mine?.unitName || code;

  const head = h("section", { class: "card", id: "report-status", "data-status": status },
    h("div", { class: "toolbar" },
      h("h1", {}, `${name}${monthZh(period)}月报`),
      h("span", { class: `tag ${status === "REPORT_STATUS_RETURNED" ? "returned" : status === "REPORT_STATUS_ACCEPTED" ? "accepted" : ""}`, id: "status" }, label(reportStatus, status)),
      report?.revision ? h("span", { class: "muted" }, `第${report.revision}版`) : "",
      mine?.timeliness ? h("span", { class: "muted" }, label(timeliness, mine.timeliness)) : "",
      report ? downloadButton("download-report", "下载月报", `/v1/documents/monthly-reports/${code}/${period.year}/${period.month}`) : ""),
    h("p", { class: "muted" }, `报送期限：${dateZh(expected.dueOn)}；${dateZh(expected.lockedAfter)}后不再受理（补报须县委组织部同意）`,
      mine?.exceptionGranted ? "；已同意补报" : "", report?.submittedOn ? `；报送日期：${dateZh(report.submittedOn)}` : ""),
    status === "REPORT_STATUS_RETURNED"
      ? h("div", { class: "returned-reason", id: "return-reason", role: "alert" },
        h("strong", {}, "县委组织部已退回："), report?.returnReason ?? "", report?.reviewedBy ? h("span", { class: "muted" }, `（${report.reviewedBy}）`) : "",
        h("p", {}, "请按意见修改后重新提交。"))
      : "");

  const ledger = h("section", { class: "card", id: "ledger-snapshot" },
    h("h2", {}, "整改台账（当前）"),
    h("p", { class: "muted" }, "提交时由系统从台账自动取数，无需填写。"),
    h("div", { class: "table-wrap" }, table(["村", "措施", "待销号", "已销号", "逾期"], villages.map(v => {
      const c = ledgerOf.get(v.villageCode)?.counts;
      return [v.villageName || v.villageCode, num(c?.total), num(c?.completed), num(c?.closed), num(c?.overdue)];
    }))),
    report?.villages?.some(v => v.ledger) ? h("div", {}, h("h3", {}, "本月报所载台账"),
      h("div", { class: "table-wrap" }, table(["村", "措施", "待销号", "已销号", "逾期"], report.villages.map(v =>
        [v.villageName || v.villageCode, num(v.ledger?.total), num(v.ledger?.completed), num(v.ledger?.closed), num(v.ledger?.overdue)])))) : "");

  const form = h("form", { class: "card", id: "report", "data-period": month },
    villages.length ? "" : h("p", { class: "muted" }, "本乡镇本月没有整顿对象村。"),
    villages.map((v, i) => h("fieldset", { class: "village-entry", "data-village": v.villageCode, disabled: !editable },
      h("legend", {}, v.villageName || v.villageCode),
      h("label", {}, "本月工作", h("textarea", { name: "workDone", "data-field": `villages[${i}].work_done` }, v.workDone ?? "")),
      h("label", {}, "存在问题", h("textarea", { name: "problemsMet", "data-field": `villages[${i}].problems_met` }, v.problemsMet ?? "")),
      h("label", {}, "下月计划", h("textarea", { name: "nextMonthPlan", "data-field": `villages[${i}].next_month_plan` }, v.nextMonthPlan ?? "")),
      h("div", { class: "indicators" }, indicators.map(([key, text]) => h("label", {}, text,
        h("input", { name: key, type: "number", min: 0, inputmode: "numeric", value: String(v.indicators?.[key] ?? 0), "data-field": `villages[${i}].indicators.${snake(key)}` })))))));

  if (editable) {
    const confirmBox = h("div", { class: "confirm", hidden: true },
      h("span", {}, "提交后由县委组织部审核，不能再修改。确认提交？"),
      h("button", { type: "button", id: "confirm-submit" }, "确认提交"),
      h("button", { type: "button", class: "secondary", id: "cancel-submit" }, "取消"));
    const buttons = h("div", { class: "toolbar" },
      h("button", { type: "button", class: "secondary", id: "save-draft" }, "保存草稿"),
      h("button", { type: "button", id: "submit", disabled: !monthOver }, status === "REPORT_STATUS_RETURNED" ? "重新提交" : "提交"),
      monthOver ? "" : h("span", { class: "muted" }, `本月尚未结束，可先保存草稿，${dateZh({ year: period.month === 12 ? period.year + 1 : period.year, month: period.month % 12 + 1, day: 1 })}起提交`));
    form.append(buttons, confirmBox);
    // One request id per distinct push: a double click or a retry of the same content is the same push, answered once.
    let attempt: { id: string; body: string } | null = null;
    const push = async (submit: boolean): Promise<void> => {
      const body = JSON.stringify({ townshipCode: code, period, villages: entries(form), submit });
      if (!attempt || attempt.body !== body) attempt = { id: crypto.randomUUID(), body };
      form.querySelectorAll("button").forEach(b => (b.disabled = true));
      try {
        await api("reporting", "PushReport", { ...JSON.parse(body), clientRequestId: attempt.id });
        attempt = null;
        toast(submit ? "已提交" : "草稿已保存");
        await render();
      } catch (e) {
        showError(form, e);
        form.querySelectorAll("button").forEach(b => (b.disabled = b.id === "submit" && !monthOver));
      }
    };
    buttons.querySelector("#save-draft")!.addEventListener("click", () => void push(false));
    buttons.querySelector("#submit")!.addEventListener("click", () => { confirmBox.hidden = false; });
    confirmBox.querySelector("#cancel-submit")!.addEventListener("click", () => { confirmBox.hidden = true; });
    confirmBox.querySelector("#confirm-submit")!.addEventListener("click", () => void push(true));
  }

  if (signal.aborted) return; // the person went on while this loaded
  show(
    h("div", { class: "crumbs" }, link(`#/township/${code}`, "工作台"), " › 月报"),
    head,
    h("div", { class: "report-layout" }, form, ledger));
});

function snake(key: string): string { return key.replace(/[A-Z]/g, c => `_${c.toLowerCase()}`); }

function entries(form: HTMLElement): VillageEntry[] {
  return [...form.querySelectorAll<HTMLFieldSetElement>(".village-entry")].map(f => {
    const text = (name: string) => (f.querySelector(`[name="${name}"]`) as HTMLTextAreaElement).value;
    const value = (name: string) => Number((f.querySelector(`[name="${name}"]`) as HTMLInputElement).value || 0);
    return {
      villageCode: f.dataset["village"]!, workDone: text("workDone"), problemsMet: text("problemsMet"), nextMonthPlan: text("nextMonthPlan"),
      indicators: {
        meetingsHeld: value("meetingsHeld"), trainings: value("trainings"), membersDeveloped: value("membersDeveloped"),
        servicesForPeople: value("servicesForPeople"), disputesMediated: value("disputesMediated"),
        collectiveIncomeToDateYuan: String(value("collectiveIncomeToDateYuan")),
      },
    };
  });
}

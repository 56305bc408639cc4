// A target's 整顿方案 (plan): written by the township — phases, problems, measures with their responsible persons and
// deadlines — and added to afterwards (AddMeasure). The target is addressed by its village's code: #/plan/{villageCode}.
import { api, ApiError } from "../api.js";
import { route, render } from "../router.js";
import { session, levelOf } from "../session.js";
import { h, show, table, link, toast, onSubmit, statusTag } from "../ui.js";
import { dateOf, dateZh, type Ymd } from "../format.js";
import { type MeasureRow } from "./township.js";
import { currentCampaign } from "../campaigns.js";

interface Phase { name?: string; endsOn?: Ymd; }
interface Problem { id: string; categoryCode?: string; categoryName?: string; description?: string; measures?: MeasureRow[]; }
interface Plan {
  id: string; villageCode: string; villageName?: string; campaignYear: number; startsOn?: Ymd; campaignEndsOn?: Ymd;
  basicSituation?: string; goals?: string[]; phases?: Phase[]; problems?: Problem[];
}
interface Category { code: string; name: string; }

/** Names typed as 「刘文华、陈建国」 or with commas or spaces: one person each. */
function persons(text: string): string[] { return text.split(/[、,，;；\s]+/).map(s => s.trim()).filter(Boolean); }

// #/plan/{villageCode} is the current campaign's plan; #/plan/{villageCode}-{year} (the target page's link) a given year's.
route("/plan/:target", async ({ target }, signal) => {
  const [village, yearText] = target.split("-");
  if (levelOf(village) !== "village") throw new ApiError(5, "未找到：该编码不是村", [], 404);
  const campaign = yearText ? { year: Number(yearText) } : await currentCampaign(village);
  if (!campaign) throw new ApiError(5, "未找到：本县尚无整顿年度", [], 404);
  const account = session.account()!;
  const mayEdit = session.canWrite() && levelOf(account.orgCode) !== "village";
  let plan: Plan | null = null;
  try {
    plan = await api<Plan>("measures", "GetPlan", { villageYear: { villageCode: village, campaignYear: campaign.year } });
  } catch (e) {
    if (!(e instanceof ApiError && e.notFound)) throw e;
  }
  if (signal.aborted) return; // the person went on while this loaded
  if (plan) return showPlan(plan, mayEdit);
  if (!mayEdit) return show(h("section", { class: "card" }, h("h1", {}, "整顿方案"), h("p", { class: "muted" }, "该村尚未制定整顿方案。")));
  const { categories = [] } = await api<{ categories?: Category[] }>("measures", "ListProblemCategories", { unitCode: village, activeOnly: true });
  if (!signal.aborted) showCreate(village, campaign.year, categories);
});

function showPlan(plan: Plan, mayEdit: boolean): void {
  const problems = (plan.problems ?? []).map((p, i) => h("section", { class: "card problem", "data-problem": p.id },
    h("h3", {}, `问题${i + 1}：${p.description ?? ""}`),
    h("p", { class: "muted" }, p.categoryName || p.categoryCode || ""),
    h("div", { class: "table-wrap" }, table(["整改措施", "责任人", "完成时限", "状态"], (p.measures ?? []).map(m => [
      link(`#/measure/${m.id}`, m.description ?? "查看"), (m.responsiblePersons ?? []).join("、"),
      `${dateZh(m.deadline)}${m.ongoing ? "前及长期坚持" : ""}`, statusTag(m.status, m.overdue),
    ]))),
    mayEdit ? addMeasureForm(plan, p) : ""));
  show(
    h("div", { class: "crumbs" }, link(`#/township/${plan.villageCode.slice(0, 9)}000`, "乡镇工作台"), " › ",
      link(`#/target/${plan.villageCode}`, plan.villageName || plan.villageCode), " › 整顿方案"),
    h("section", { class: "card", id: "plan", "data-plan": plan.id },
      h("h1", {}, `${plan.villageName || plan.villageCode}${plan.campaignYear}年度整顿方案`),
      h("p", {}, `整顿期：${dateZh(plan.startsOn)} 至 ${dateZh(plan.campaignEndsOn)}`),
      plan.basicSituation ? h("p", {}, h("strong", {}, "基本情况："), plan.basicSituation) : "",
      plan.goals?.length ? h("div", {}, h("strong", {}, "整改目标："), h("ol", {}, plan.goals.map(g => h("li", {}, g)))) : "",
      h("div", {}, h("strong", {}, "阶段安排："), h("ol", {}, (plan.phases ?? []).map(p => h("li", {}, `${p.name ?? ""}（${dateZh(p.endsOn)}前）`))))),
    ...problems);
}

function addMeasureForm(plan: Plan, problem: Problem): HTMLElement {
  const form = h("form", { class: "add-measure" },
    h("h3", {}, "添加整改措施"),
    h("label", {}, "措施内容", h("textarea", { name: "description", required: true, "data-field": "measure.description" })),
    h("div", { class: "form-row" },
      h("label", {}, "责任人（多人用顿号分隔）", h("input", { name: "persons", "data-field": "measure.responsible_persons" })),
      h("label", {}, "完成时限", h("input", { name: "deadline", type: "date", "data-field": "measure.deadline" })),
      h("label", { class: "check" }, h("input", { name: "ongoing", type: "checkbox", "data-field": "measure.ongoing" }), "前及长期坚持")),
    h("button", { type: "submit" }, "添加"));
  onSubmit(form, async data => {
    await api("measures", "AddMeasure", {
      planId: plan.id, problemId: problem.id,
      measure: { description: data.get("description"), responsiblePersons: persons(String(data.get("persons") ?? "")), deadline: dateOf(String(data.get("deadline") ?? "")), ongoing: data.get("ongoing") === "on" },
    });
    toast("已添加整改措施");
    await render();
  });
  return form;
}

function showCreate(village: string, year: number, categories: Category[]): void {
  const problems = h("div", { id: "problems" });
  const addProblem = (): void => {
    const i = problems.children.length;
    problems.append(h("fieldset", { class: "problem", "data-index": i },
      h("legend", {}, `问题${i + 1}`),
      h("label", {}, "问题类别", h("select", { name: "category", "data-field": `problems[${i}].category_code` }, categories.map(c => h("option", { value: c.code }, c.name)))),
      h("label", {}, "问题表现", h("textarea", { name: "problem", "data-field": `problems[${i}].description` })),
      h("label", {}, "整改措施", h("textarea", { name: "measure", "data-field": `problems[${i}].measures[0].description` })),
      h("div", { class: "form-row" },
        h("label", {}, "责任人", h("input", { name: "persons", "data-field": `problems[${i}].measures[0].responsible_persons` })),
        h("label", {}, "完成时限", h("input", { name: "deadline", type: "date", "data-field": `problems[${i}].measures[0].deadline` })),
        h("label", { class: "check" }, h("input", { name: "ongoing", type: "checkbox" }), "前及长期坚持"))));
  };
  addProblem();
  const phase = (i: number, name: string, ends: string): HTMLElement => h("div", { class: "form-row phase" },
    h("label", {}, `阶段${i + 1}`, h("input", { name: "phaseName", value: name, "data-field": `phases[${i}].name` })),
    h("label", {}, "截止日期", h("input", { name: "phaseEnds", type: "date", value: ends, "data-field": `phases[${i}].ends_on` })));
  const form = h("form", { class: "card", id: "create-plan" },
    h("h1", {}, `制定${year}年度整顿方案`),
    h("label", {}, "整顿开始日期", h("input", { name: "startsOn", type: "date", value: `${year}-03-01`, "data-field": "starts_on" })),
    h("label", {}, "基本情况", h("textarea", { name: "basicSituation", "data-field": "basic_situation" })),
    h("label", {}, "整改目标（每行一条）", h("textarea", { name: "goals", "data-field": "goals" })),
    h("h2", {}, "阶段安排"),
    phase(0, "集中整顿", `${year}-09-30`), phase(1, "自查评估", `${year}-10-15`), phase(2, "巩固提高", `${year}-10-31`),
    h("h2", {}, "存在问题与整改措施"),
    problems,
    h("div", { class: "toolbar" },
      h("button", { type: "button", class: "secondary", onclick: () => addProblem() }, "再加一个问题"),
      h("button", { type: "submit" }, "保存方案")));
  onSubmit(form, async data => {
    const value = (el: Element, name: string): string => (el.querySelector(`[name="${name}"]`) as HTMLInputElement | null)?.value ?? "";
    const body = {
      villageCode: village, campaignYear: year, startsOn: dateOf(String(data.get("startsOn") ?? "")),
      basicSituation: data.get("basicSituation"),
      goals: String(data.get("goals") ?? "").split("\n").map(s => s.trim()).filter(Boolean),
      phases: [...form.querySelectorAll(".phase")].map(p => ({ name: value(p, "phaseName"), endsOn: dateOf(value(p, "phaseEnds")) })),
      problems: [...problems.querySelectorAll(".problem")].map(p => ({
        categoryCode: value(p, "category"), description: value(p, "problem"),
        measures: value(p, "measure").trim() ? [{
          description: value(p, "measure"), responsiblePersons: persons(value(p, "persons")), deadline: dateOf(value(p, "deadline")),
          ongoing: (p.querySelector('[name="ongoing"]') as HTMLInputElement).checked,
        }] : [],
      })),
    };
    await api("measures", "CreatePlan", body);
    toast("整顿方案已保存");
    await render();
  });
  show(h("div", { class: "crumbs" }, link(`#/township/${village.slice(0, 9)}000`, "乡镇工作台"), " › 制定整顿方案"), form);
}


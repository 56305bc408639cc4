// 文件导入导出: blank Excel templates of every kind for a unit, and importing a filled one — a dry run (试导入) first,
// its problems by sheet, row and column; 正式导入 only after a clean dry run of the same file (docs/documents.md).
import { download, upload } from "../api.js";
import { route } from "../router.js";
import { session } from "../session.js";
import { h, show, table, toast } from "../ui.js";
import { todayShanghai } from "../format.js";

interface ImportProblem { sheet?: string; row?: number; column?: string; cell?: string; reason?: string; }
interface ImportReport {
  dryRun?: boolean; applied?: boolean; rows?: number; added?: number; changed?: number; unchanged?: number;
  problems?: ImportProblem[]; summary?: string;
}

/** The six kinds as the routes name them, with their Chinese titles; each template is for the unit of the page. */
const kinds: [string, string][] = [
  ["units", "单位名单"], ["village-profiles", "村党组织基本情况"], ["assignments", "四个一联系帮扶"],
  ["assessments", "两评—调研结果"], ["plan", "问题清单和整改措施"], ["past-targets", "往年整顿对象及结果"],
];

route("/documents/:code", async ({ code }) => {
  const year = todayShanghai().year;
  const yearPicker = h("select", { id: "doc-year", name: "year" },
    [year + 1, year, year - 1, year - 2].map(y => h("option", { value: y, selected: y === year }, `${y}年`)));
  const status = h("p", { class: "muted", id: "download-status", "aria-live": "polite" }, "");
  const downloads = h("ul", { class: "doc-templates" }, kinds.map(([kind, title]) => {
    const button = h("button", { type: "button", class: "secondary", "data-template": kind }, "下载");
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const name = await download(`/v1/documents/templates/${kind}?scope=${encodeURIComponent(code)}&year=${yearPicker.value}`);
        status.textContent = `已下载：${name}`;
      } catch (e) {
        status.textContent = "";
        toast(e instanceof Error ? e.message : String(e), "error");
      } finally { button.disabled = false; }
    });
    return h("li", {}, h("span", {}, title), button);
  }));

  show(h("section", { class: "documents-page" },
    h("header", { class: "card" }, h("h2", {}, "文件导入导出"),
      h("p", { class: "muted" }, `单位代码 ${code}：下载模板填写后导入；先试导入检查，检查通过后才能正式导入。`)),
    h("section", { class: "card" }, h("h3", {}, "模板下载"),
      h("div", { class: "toolbar" }, h("label", { for: "doc-year" }, "整顿年度"), yearPicker),
      downloads, status),
    session.canWrite() ? importCard(code, yearPicker) : h("p", { class: "card muted" }, "当前账号只能下载模板，导入需由经办人或审核人办理。")));
});

function importCard(code: string, yearPicker: HTMLSelectElement): HTMLElement {
  const kind = h("select", { id: "import-kind", name: "kind" }, kinds.map(([k, title]) => h("option", { value: k }, title)));
  const input = h("input", { type: "file", id: "import-file", name: "file", accept: ".xlsx,.csv", class: "doc-file" });
  const chosen = h("span", { class: "muted doc-chosen" }, "未选择文件");
  const check = h("button", { type: "button", id: "dry-run" }, "试导入");
  const apply = h("button", { type: "button", id: "apply", disabled: true }, "正式导入");
  const result = h("div", { id: "import-result", "aria-live": "polite" });
  // The file a clean dry run checked: 正式导入 imports exactly that one, and any new choice must be checked again.
  let checked: File | null = null;
  const reset = () => { checked = null; apply.disabled = true; };
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    chosen.textContent = file ? `已选：${file.name}` : "未选择文件";
    reset();
    result.replaceChildren();
  });
  kind.addEventListener("change", () => { reset(); result.replaceChildren(); });
  yearPicker.addEventListener("change", reset);

  const path = (dryRun: boolean, file: File) =>
    `/v1/documents/imports/${kind.value}?scope=${encodeURIComponent(code)}&year=${yearPicker.value}&dryRun=${dryRun}&fileName=${encodeURIComponent(file.name)}`;

  check.addEventListener("click", async () => {
    const file = input.files?.[0];
    if (!file) { toast("请先选择要导入的文件", "error"); return; }
    reset();
    check.disabled = true;
    try {
      const report = await upload<ImportReport>(path(true, file), file);
      result.replaceChildren(...describe(report));
      if (!(report.problems ?? []).length) { checked = file; apply.disabled = false; }
    } catch (e) {
      result.replaceChildren(...refused(e));
    } finally { check.disabled = false; }
  });
  apply.addEventListener("click", async () => {
    const file = checked;
    if (!file) return;
    apply.disabled = true;
    try {
      const report = await upload<ImportReport>(path(false, file), file);
      result.replaceChildren(h("p", { class: "doc-summary ok", "data-applied": "true" }, `导入完成：${report.summary ?? ""}`));
      toast("导入完成");
      checked = null;
    } catch (e) {
      result.replaceChildren(...refused(e));
    }
  });

  return h("section", { class: "card" }, h("h3", {}, "导入"),
    h("div", { class: "toolbar doc-import" },
      h("label", { for: "import-kind" }, "模板"), kind,
      h("label", { class: "doc-picker" }, input, h("span", { class: "button secondary" }, "选择文件"), chosen),
      check, apply),
    result);
}

function describe(report: ImportReport): Node[] {
  const problems = report.problems ?? [];
  if (!problems.length) return [h("p", { class: "doc-summary ok", "data-clean": "true" }, report.summary || "检查通过。")];
  return [
    h("p", { class: "doc-summary error" }, report.summary ?? `发现${problems.length}处问题`),
    h("div", { class: "table-wrap" }, table(["工作表", "行", "列", "原因"],
      problems.map(p => [p.sheet || "—", p.row ? String(p.row) : "—", p.column ? `${p.column}${p.cell ? `（${p.cell}）` : ""}` : (p.cell || "—"), p.reason ?? ""]),
      { class: "doc-problems" })),
  ];
}

/** A refused file (not a workbook, too large …) or a refused import: its reasons in the same table as a dry run's. */
function refused(e: unknown): Node[] {
  const violations = (e as { violations?: { field: string; description: string }[] }).violations ?? [];
  if (!violations.length) return [h("p", { class: "doc-summary error" }, e instanceof Error ? e.message : String(e))];
  return [
    h("p", { class: "doc-summary error" }, "文件未导入，原因如下："),
    h("div", { class: "table-wrap" }, table(["工作表", "行", "列", "原因"],
      violations.map(v => v.field === "file" ? ["—", "—", "—", v.description] : [v.field.split("!")[0], "—", v.field.split("!")[1] ?? "—", v.description]),
      { class: "doc-problems" })),
  ];
}

// 导出台账: the 台账 workbook of a unit (Measures' ExportLedger through GET /v1/documents/ledgers/{code}), saved under
// the name the server gives it (于都县整顿台账-20261125.xlsx). One button for every page that shows a unit.
import { download } from "./api.js";
import { h, toast } from "./ui.js";

export function ledgerButton(code: string): HTMLButtonElement {
  const button = h("button", { type: "button", class: "ledger-export", "data-unit": code }, "导出台账");
  button.addEventListener("click", async () => {
    button.disabled = true;
    button.textContent = "正在导出…";
    try {
      toast(`已导出 ${await download(`/v1/documents/ledgers/${code}`)}`);
    } catch (e) {
      toast(e instanceof Error ? e.message : String(e), "error");
    } finally {
      button.disabled = false;
      button.textContent = "导出台账";
    }
  });
  return button;
}
